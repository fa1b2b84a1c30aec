"""The channel's HTTP conventions: JSON bodies, ``{"code", "detail"}`` errors, bearer tokens."""

from __future__ import annotations

import functools
import json
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_BODY_BYTES = 16 * 1024
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
dumps = functools.partial(json.dumps, ensure_ascii=False)


class ApiError(Exception):
    """An error answered as ``{"code": ..., "detail": ...}`` with an HTTP status."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.detail = detail


def invalid_session() -> ApiError:
    return ApiError(401, "invalid_session", "会话已失效，请刷新页面重新开始 / invalid session")


def invalid_app_token() -> ApiError:
    return ApiError(401, "invalid_app_token", "登录已失效，请重新登录 / invalid app token")


def message_too_long() -> ApiError:
    return ApiError(
        413, "message_too_long", "您的消息太长了，请精简到1000字以内再发送 / message too long"
    )


def empty_message() -> ApiError:
    return ApiError(422, "empty_message", "请输入您要咨询的内容 / empty message")


def json_response(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=API_HEADERS, dumps=dumps)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if there is one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object ({} when empty); ApiError if too large or not an object."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        raise message_too_long()
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_body", "请求格式错误 / request body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "请求格式错误 / request body must be a JSON object")
    return body


def ready_agent(request: Request, *, need_processor: bool) -> Any:
    """Rasa's agent once it can serve (a tracker store; a loaded model if ``need_processor``)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or getattr(agent, "tracker_store", None) is None:
        raise ApiError(503, "bot_unavailable", "智能客服正在启动，请稍后再试 / assistant not ready")
    if need_processor and not agent.is_ready():
        raise ApiError(503, "bot_unavailable", "智能客服正在启动，请稍后再试 / assistant not ready")
    return agent
