"""The customer's routes: the chat page, /session, /history, /messages and the /ws socket."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bankkit.masking import mask_pii
from bot.channels.handoff import agent_names
from bot.channels.webchat.api import (
    ApiError,
    bearer_token,
    json_body,
    json_response,
    ready_agent,
)
from bot.channels.webchat.messages import PayloadFilter
from bot.channels.webchat.push_socket import serve_page_socket
from bot.channels.webchat.relay import AgentRelay
from bot.channels.webchat.sessions import SessionTokens, message_metadata
from bot.channels.webchat.transcripts import public_message, transcript

logger = logging.getLogger(__name__)

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # the demo URL may carry ?app_token=...; never leak it to other sites
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def add_customer_routes(
    webchat: Blueprint,
    *,
    input_channel: str,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    sessions: SessionTokens,
    payloads: PayloadFilter,
    relay: AgentRelay,
    static_dir: Path,
) -> None:
    """Adds the customer's routes to the channel's blueprint."""

    @webchat.route("/", methods=["GET"], strict_slashes=False)
    async def page(request: Request) -> HTTPResponse:
        if not request.path.endswith("/"):
            # the page loads ./static/... and calls ./session relative to itself
            return response.redirect(
                request.path + "/" + (f"?{request.query_string}" if request.query_string else "")
            )
        return await response.file(str(static_dir / "index.html"), headers=PAGE_HEADERS)

    @webchat.route("/session", methods=["POST"])
    async def session(request: Request) -> HTTPResponse:
        body = json_body(request)
        previous = sessions.decode(
            body.get("session_token") if isinstance(body.get("session_token"), str) else None
        )
        current, resumed = sessions.start(bearer_token(request), previous)
        token, ttl = sessions.issue(current)
        logger.info(
            "webchat: session %s sender=%s channel=%s",
            "resumed" if resumed else "started",
            current.sender_id,
            current.channel,
        )
        return json_response(
            {
                "session_token": token,
                "sender_id": current.sender_id,
                "channel": current.channel,
                "resumed": resumed,
                "expires_in": ttl,
            }
        )

    @webchat.route("/history", methods=["GET"])
    async def history(request: Request) -> HTTPResponse:
        current = sessions.authenticate(request)
        agent = ready_agent(request, need_processor=False)
        tracker = await agent.tracker_store.retrieve_full_tracker(current.sender_id)
        events = list(tracker.events) if tracker is not None else []
        paused = bool(tracker is not None and tracker.is_paused())
        return json_response(
            {
                "messages": transcript(events),
                "handoff": {"active": paused, "agent": agent_names(events) if paused else None},
            }
        )

    @webchat.route("/messages", methods=["POST"])
    async def messages(request: Request) -> HTTPResponse:
        current = sessions.authenticate(request)
        body = json_body(request)
        agent = ready_agent(request, need_processor=True)
        text = await payloads.prepare_text(body.get("text"), agent, current.sender_id)
        logger.debug("webchat: message sender=%s text=%s", current.sender_id, mask_pii(text))

        collector = CollectingOutputChannel()
        message = UserMessage(
            text,
            collector,
            current.sender_id,
            input_channel=input_channel,
            metadata=message_metadata(current),
        )
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            logger.error("webchat: message handling cancelled sender=%s", current.sender_id)
            raise ApiError(503, "bot_timeout", "抱歉，系统繁忙，请稍后再试 / timeout") from None
        except Exception:
            logger.exception("webchat: message handling failed sender=%s", current.sender_id)
            raise ApiError(
                500, "bot_error", "抱歉，系统暂时无法回复，请稍后再试 / internal error"
            ) from None
        handoff = await relay.after_customer_message(agent, current.sender_id)
        reply: dict[str, Any] = {"messages": [public_message(m) for m in collector.messages]}
        if handoff is not None:
            reply["handoff"] = handoff
        return json_response(reply)

    @webchat.websocket("/ws")
    async def push_socket(request: Request, ws: Any) -> None:
        current = sessions.decode(request.args.get("token"))
        if current is None:
            await ws.close(code=4401, reason="invalid_session")
            return
        if current.channel == "app":
            try:
                sessions.verify_app_token(current.app_token or "")
            except ApiError:
                await ws.close(code=4401, reason="invalid_app_token")
                return
        await serve_page_socket(request, ws, current.sender_id, relay.push, relay.forwarder)
