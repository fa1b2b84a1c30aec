"""The error base and the handlers that turn every error into `{"code", "detail"}`.

Each domain defines its own errors in `crm_api/<domain>/errors.py` as `DomainError`
subclasses; this module only knows the base, the service-token error every route can
raise, and how all of them become HTTP responses.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error response. Some errors add fields (`retry_after`, `remaining_attempts`)."""

    code: str = Field(examples=["customer_not_found"])
    detail: str = Field(examples=["客户不存在 / Customer not found"])


class DomainError(Exception):
    """Base of all expected errors; subclasses fix status, code and bilingual detail."""

    # class defaults that one error may set per instance (the trainer's AnnotationRejected)
    status_code: int = 400
    code: str = "bad_request"
    detail_zh: ClassVar[str] = "请求有误"
    detail_en: ClassVar[str] = "Bad request"

    def __init__(self, **extra: Any) -> None:
        super().__init__(self.code)
        self.extra = extra

    @property
    def detail(self) -> str:
        return f"{self.detail_zh} / {self.detail_en}"

    def headers(self) -> dict[str, str] | None:
        return None


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"
    detail_zh = "未授权：缺少或无效的服务令牌"
    detail_en = "Unauthorized: missing or invalid service token"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class RetryAfterError(DomainError):
    """An error the client may retry after `retry_after` seconds (also sent as Retry-After)."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(retry_after=max(1, int(retry_after)))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.extra["retry_after"])}


def error_response(
    status_code: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        status_code=status_code, content={"code": code, "detail": detail, **extra}, headers=headers
    )


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return error_response(exc.status_code, exc.code, exc.detail, exc.headers(), **exc.extra)


async def _validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only location and message: echoing `input` could put phone numbers or codes in logs.
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
    return error_response(
        422, "validation_error", "请求参数不正确 / Request validation failed", errors=errors
    )


_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    404: ("not_found", "请求的资源不存在 / Not found"),
    405: ("method_not_allowed", "不支持该请求方法 / Method not allowed"),
}


async def _http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, detail = _HTTP_ERRORS.get(exc.status_code, ("http_error", f"请求失败 / {exc.detail}"))
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}) or None)


async def _unexpected_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled_error type=%s", type(exc).__name__)
    return error_response(500, "internal_error", "系统繁忙，请稍后再试 / Internal server error")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(Exception, _unexpected_error_handler)


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "未授权 / missing or wrong service token"},
    422: {"model": ErrorBody, "description": "参数错误 / validation error"},
}
