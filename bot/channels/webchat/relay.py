"""The agent relay during a human handoff.

Customer → agent: a message sent while the bot is paused is forwarded to crm_api (which
pushes it to the agent's console). Agent → customer: crm_api calls the ``/agent/...``
routes with RASA_TOKEN; the message is appended to the tracker and pushed to the page.
"""

from __future__ import annotations

import hmac
from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.handoff import (
    CrmForwarder,
    agent_names,
    append_agent_message,
    iso,
    latest_user_message,
    paused_before_latest_message,
    resume_conversation,
)
from bot.channels.push import PushHub
from bot.channels.webchat.api import ApiError, bearer_token, json_body, json_response, ready_agent
from bot.channels.webchat.messages import clean_text
from bot.channels.webchat.transcripts import public_message


class AgentRelay:
    """Carries a handed-over conversation between the customer's page and crm_api."""

    def __init__(self, agent_token: str | None, forwarder: CrmForwarder, push: PushHub) -> None:
        self.agent_token = agent_token or None
        self.forwarder = forwarder
        self.push = push

    def require_agent_token(self, request: Request) -> None:
        """The agent routes are for crm_api only (bearer RASA_TOKEN)."""
        given = (bearer_token(request) or "").encode()
        if not self.agent_token or not hmac.compare_digest(given, self.agent_token.encode()):
            raise ApiError(401, "unauthorized", "未授权 / unauthorized")

    async def after_customer_message(self, agent: Any, sender_id: str) -> dict[str, Any] | None:
        """During a handoff: forward the customer's message to the agent's console."""
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None or not tracker.is_paused():
            return None
        events = list(tracker.events)
        if paused_before_latest_message(events):
            latest = latest_user_message(events)
            if latest is not None:
                self.forwarder.message(sender_id, latest)
        return {"active": True, "agent": agent_names(events)}

    def add_routes(self, webchat: Blueprint) -> None:
        """``POST /agent/<conversation>/{messages,typing,close}`` (crm_api only)."""

        @webchat.route("/agent/<conversation_id>/messages", methods=["POST"])
        async def agent_message(request: Request, conversation_id: str) -> HTTPResponse:
            self.require_agent_token(request)
            body = json_body(request)
            text = clean_text(body.get("text"))
            name = str(body.get("agent") or "人工客服")[:20]
            agent = ready_agent(request, need_processor=True)
            event = await append_agent_message(
                agent, conversation_id, text, name, body.get("agent_id")
            )
            if event is None:
                raise ApiError(
                    409, "not_in_handoff", "会话不在人工服务中 / conversation not paused"
                )
            ts = iso(event.timestamp)
            await self.push.publish(
                conversation_id,
                {
                    "type": "message",
                    "from": "agent",
                    "agent": name,
                    "text": text,
                    "ts": ts,
                },
            )
            return json_response({"ts": ts})

        @webchat.route("/agent/<conversation_id>/typing", methods=["POST"])
        async def agent_typing(request: Request, conversation_id: str) -> HTTPResponse:
            self.require_agent_token(request)
            body = json_body(request)
            await self.push.publish(
                conversation_id,
                {
                    "type": "typing",
                    "from": "agent",
                    "agent": str(body.get("agent") or "")[:20],
                    "typing": bool(body.get("typing", True)),
                },
            )
            return json_response({"status": "ok"})

        @webchat.route("/agent/<conversation_id>/close", methods=["POST"])
        async def agent_close(request: Request, conversation_id: str) -> HTTPResponse:
            self.require_agent_token(request)
            agent = ready_agent(request, need_processor=True)
            messages = await resume_conversation(agent, conversation_id)
            public = [public_message(m) for m in messages or []]
            await self.push.publish(
                conversation_id,
                {
                    "type": "handoff",
                    "state": "ended",
                    "messages": public,
                },
            )
            return json_response({"resumed": messages is not None, "messages": public})
