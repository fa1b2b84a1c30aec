"""Web chat and mobile-app input channel (``webchat``), mounted under ``/webhooks/webchat/``.

Routes:
    GET  /            the customer chat page (static files under /static/)
    POST /session     start or resume a conversation; returns a signed session token
    GET  /history     the visible transcript of the session's conversation
    POST /messages    send a message, get the bot's replies
    WS   /ws?token=   pushes to the page: agent messages, typing, queue place, bot resumed
    POST /agent/<conversation>/{messages,typing,close}   crm_api only (RASA_TOKEN): an
                      agent's message, typing indicator, end of the handoff

The conversation (Rasa sender id) is bound to a session token signed with WEBCHAT_SECRET;
the client never chooses a sender id or message metadata. App users prove who they are
with an app identity token (HS256, APP_TOKEN_SECRET); it is checked here and forwarded to
the action server as ``metadata.identity_token``, which verifies it again before any
customer data is read. See docs/app-protocol.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jwt
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bankkit.masking import install_log_masking, mask_pii
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

logger = logging.getLogger(__name__)
install_log_masking()

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "webchat"
# Intents a client may send as "/intent" or "/intent{...}" (menu chips, quick replies).
DEFAULT_ALLOWED_PAYLOAD_INTENTS = (
    "affirm",
    "deny",
    "inform",
    "request_human",
    "give_rating",
    "check_balance",
    "query_transactions",
    "query_credit_card",
    "report_card_loss",
)
DEFAULT_SESSION_TTL_SECONDS = 24 * 3600
MAX_MESSAGE_CHARS = 1000
MAX_BODY_BYTES = 16 * 1024
HISTORY_LIMIT = 200
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret"})
QUEUE_UPDATE_SECONDS = 20.0  # how often a waiting customer's page is told its place
TYPING_FORWARD_GAP_SECONDS = 2.0

SESSION_AUDIENCE = "webchat-session"
SESSION_ISSUER = "bank-assistant-webchat"
APP_TOKEN_LEEWAY_SECONDS = 30
# "/intent" or "/intent{json}" — the exact shapes Rasa unpacks into an intent (+ entities)
PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_\-]*)(?P<entities>\{.*\})?", re.DOTALL)
LEADING_SLASHES = re.compile(r"^[\s/]+")

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
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _json(body: Any, status: int = 200) -> HTTPResponse:
    return response.json(body, status=status, headers=API_HEADERS, dumps=_dumps)


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


@dataclass(frozen=True)
class Session:
    """The verified claims of a session token."""

    sender_id: str
    channel: str  # "web" | "app"
    customer_id: str | None = None
    app_token: str | None = None


def _utc_iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _json_body(request: Request) -> dict[str, Any]:
    if len(request.body or b"") > MAX_BODY_BYTES:
        raise ApiError(
            413, "message_too_long", "您的消息太长了，请精简到1000字以内再发送 / message too long"
        )
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_body", "请求格式错误 / request body must be JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "请求格式错误 / request body must be a JSON object")
    return body


def _check_secret(name: str, value: str | None) -> str:
    if not value:
        raise RasaException(f"webchat channel: {name} is not set")
    if value in PLACEHOLDER_SECRETS:
        if os.environ.get("CRM_ENV", "development") == "production":
            raise RasaException(f"webchat channel: {name} is a placeholder; set a real secret")
        logger.warning("webchat channel: %s is a placeholder (development only)", name)
    return value


class WebChatInput(InputChannel):
    """Authenticated HTTP channel for the bank's web chat page and mobile app."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(
        self,
        webchat_secret: str,
        app_token_secret: str,
        *,
        app_token_issuer: str | None = None,
        allowed_payload_intents: Iterable[str] = DEFAULT_ALLOWED_PAYLOAD_INTENTS,
        session_ttl_seconds: int = DEFAULT_SESSION_TTL_SECONDS,
        static_dir: Path = STATIC_DIR,
        agent_token: str | None = None,
        crm_url: str | None = None,
        crm_service_token: str | None = None,
        redis_url: str | None = None,
    ) -> None:
        """Creates the channel.

        Args:
            webchat_secret: HS256 key of the session tokens this channel issues.
            app_token_secret: HS256 key of the bank app's identity tokens.
            app_token_issuer: if set, app tokens must carry this ``iss``.
            allowed_payload_intents: intents a client may send as ``/intent{...}``.
            session_ttl_seconds: lifetime of a session token (renewed on resume).
            static_dir: directory with index.html, chat.js and chat.css.
            agent_token: bearer token of crm_api on the agent routes (RASA_TOKEN); the
                agent routes answer 401 while it is unset.
            crm_url, crm_service_token: where customer messages go during a handoff.
            redis_url: Redis for pushes across several Rasa instances (optional).
        """
        self.webchat_secret = webchat_secret
        self.app_token_secret = app_token_secret
        self.app_token_issuer = app_token_issuer or None
        self.allowed_payload_intents = frozenset(allowed_payload_intents)
        self.session_ttl_seconds = session_ttl_seconds
        self.static_dir = Path(static_dir)
        self.agent_token = agent_token or None
        self.forwarder = CrmForwarder(crm_url, crm_service_token)
        self.push = PushHub(redis_url)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        """Reads settings from credentials.yml, falling back to environment variables."""
        credentials = credentials or {}

        def setting(key: str, env: str, default: Any = None) -> Any:
            value = credentials.get(key)
            return value if value not in (None, "") else os.environ.get(env, default)

        intents = setting("allowed_payload_intents", "WEBCHAT_ALLOWED_INTENTS")
        if intents is None:
            intents = DEFAULT_ALLOWED_PAYLOAD_INTENTS
        elif isinstance(intents, str):
            intents = [i.strip() for i in intents.split(",") if i.strip()]
        return cls(
            webchat_secret=_check_secret(
                "WEBCHAT_SECRET", setting("webchat_secret", "WEBCHAT_SECRET")
            ),
            app_token_secret=_check_secret(
                "APP_TOKEN_SECRET", setting("app_token_secret", "APP_TOKEN_SECRET")
            ),
            app_token_issuer=setting("app_token_issuer", "APP_TOKEN_ISSUER"),
            allowed_payload_intents=intents,
            session_ttl_seconds=int(
                setting(
                    "session_ttl_seconds",
                    "WEBCHAT_SESSION_TTL_SECONDS",
                    DEFAULT_SESSION_TTL_SECONDS,
                )
            ),
            agent_token=setting("agent_token", "RASA_TOKEN"),
            crm_url=setting("crm_url", "CRM_URL"),
            crm_service_token=setting("crm_service_token", "CRM_SERVICE_TOKEN"),
            redis_url=setting("redis_url", "REDIS_URL"),
        )

    # -- tokens -------------------------------------------------------------------------

    def verify_app_token(self, token: str) -> dict[str, Any]:
        """Claims of a valid app identity token; raises ApiError 401 otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.app_token_secret,
                algorithms=["HS256"],
                issuer=self.app_token_issuer,
                leeway=APP_TOKEN_LEEWAY_SECONDS,
                # a token with an "aud" (e.g. one of our session tokens) is rejected by PyJWT
                options={"require": ["sub", "exp", "iat", "iss"]},
            )
        except jwt.PyJWTError as error:
            logger.info("webchat: app token rejected (%s)", type(error).__name__)
            raise invalid_app_token() from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"].strip():
            raise invalid_app_token()
        return claims

    def issue_session_token(self, session: Session) -> tuple[str, int]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": session.sender_id,
            "ch": session.channel,
            "iss": SESSION_ISSUER,
            "aud": SESSION_AUDIENCE,
            "iat": now,
            "exp": now + self.session_ttl_seconds,
        }
        if session.channel == "app":
            claims["customer_id"] = session.customer_id
            claims["app_token"] = session.app_token
        return jwt.encode(claims, self.webchat_secret, algorithm="HS256"), self.session_ttl_seconds

    def decode_session_token(self, token: str | None) -> Session | None:
        """The session a token stands for, or None if it is missing, forged or expired."""
        if not token:
            return None
        try:
            claims = jwt.decode(
                token,
                self.webchat_secret,
                algorithms=["HS256"],
                audience=SESSION_AUDIENCE,
                issuer=SESSION_ISSUER,
                options={"require": ["sub", "ch", "exp"]},
            )
        except jwt.PyJWTError:
            return None
        channel = claims.get("ch")
        if channel == "web":
            return Session(sender_id=claims["sub"], channel="web")
        if channel == "app" and claims.get("app_token") and claims.get("customer_id"):
            return Session(
                sender_id=claims["sub"],
                channel="app",
                customer_id=str(claims["customer_id"]),
                app_token=claims["app_token"],
            )
        return None

    def authenticate(self, request: Request) -> Session:
        """The session of a request's bearer session token (app identity re-checked)."""
        session = self.decode_session_token(_bearer(request))
        if session is None:
            raise invalid_session()
        if session.channel == "app":
            # the app token inside may have expired since the session was issued
            self.verify_app_token(session.app_token or "")
        return session

    def start_session(
        self, app_token: str | None, previous: Session | None
    ) -> tuple[Session, bool]:
        """The session to use for a /session request, and whether it resumes ``previous``."""
        if app_token is not None:
            claims = self.verify_app_token(app_token)
            customer_id = str(claims["sub"])
            if previous and previous.channel == "app" and previous.customer_id == customer_id:
                sender_id, resumed = previous.sender_id, True
            else:
                sender_id, resumed = uuid.uuid4().hex, False
            return Session(sender_id, "app", customer_id, app_token), resumed
        if previous is None:
            return Session(uuid.uuid4().hex, "web"), False
        if previous.channel == "app":
            # page reload without the app token: allowed while the identity is still valid
            self.verify_app_token(previous.app_token or "")
        return previous, True

    # -- messages -----------------------------------------------------------------------

    def metadata_for(self, session: Session) -> dict[str, Any]:
        """Message metadata, set here only; whatever the client sends is ignored."""
        metadata: dict[str, Any] = {"channel": session.channel}
        if session.channel == "app":
            metadata["identity_token"] = session.app_token
        return metadata

    def clean_text(self, raw: Any) -> str:
        """Stripped message text; raises ApiError if empty, too long or not a string."""
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raise ApiError(422, "invalid_body", "消息格式错误 / text must be a string")
        text = raw.strip()
        if not text:
            raise ApiError(422, "empty_message", "请输入您要咨询的内容 / empty message")
        if len(text) > MAX_MESSAGE_CHARS:
            raise ApiError(
                413,
                "message_too_long",
                "您的消息太长了，请精简到1000字以内再发送 / message too long",
            )
        return text

    def is_allowed_payload(self, text: str, offered: set[str]) -> bool:
        """Whether a "/..." message may reach Rasa as an intent shortcut."""
        if text in offered:
            return True
        match = PAYLOAD.fullmatch(text)
        if not match or match.group("intent") not in self.allowed_payload_intents:
            return False
        entities = match.group("entities")
        if entities is None:
            return True
        try:
            return isinstance(json.loads(entities), dict)
        except ValueError:
            return False

    async def prepare_text(self, raw: Any, agent: Any, sender_id: str) -> str:
        """Validated text; a "/..." shortcut that is not allowed becomes plain text."""
        text = self.clean_text(raw)
        if not text.startswith("/"):
            return text
        offered = await _offered_payloads(agent, sender_id)
        if self.is_allowed_payload(text, offered):
            return text
        # e.g. "/restart" (would end a human handoff) or "/inform{"customer_id":...}"
        text = LEADING_SLASHES.sub("", text)
        if not text:
            raise ApiError(422, "empty_message", "请输入您要咨询的内容 / empty message")
        return text

    # -- human handoff ------------------------------------------------------------------

    def _require_agent_token(self, request: Request) -> None:
        """The agent routes are for crm_api only (bearer RASA_TOKEN)."""
        given = (_bearer(request) or "").encode()
        if not self.agent_token or not hmac.compare_digest(given, self.agent_token.encode()):
            raise ApiError(401, "unauthorized", "未授权 / unauthorized")

    async def _after_message(self, agent: Any, sender_id: str) -> dict[str, Any] | None:
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

    async def _serve_socket(self, request: Request, ws: Any, sender_id: str) -> None:
        """One customer page: pushes out; typing (forwarded while paused) and pings in."""
        self.push.add(sender_id, ws)
        status_task = asyncio.ensure_future(self._queue_updates(request, ws, sender_id))
        last_typing = 0.0
        try:
            while True:
                raw = await ws.recv()
                if raw is None:
                    break
                try:
                    message = json.loads(raw)
                except (TypeError, ValueError):
                    continue
                kind = message.get("type") if isinstance(message, dict) else None
                if kind == "ping":
                    await ws.send(_dumps({"type": "pong"}))
                elif kind == "typing" and (
                    time.monotonic() - last_typing > TYPING_FORWARD_GAP_SECONDS
                ):
                    last_typing = time.monotonic()
                    agent = getattr(request.app.ctx, "agent", None)
                    tracker = (
                        await agent.tracker_store.retrieve(sender_id)
                        if agent is not None and agent.tracker_store
                        else None
                    )
                    if tracker is not None and tracker.is_paused():
                        self.forwarder.typing(sender_id)
        except Exception as error:  # the page went away (closed, reloaded, network)
            logger.debug("webchat: socket closed sender=%s (%s)", sender_id, type(error).__name__)
        finally:
            status_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await status_task
            self.push.remove(sender_id, ws)

    async def _queue_updates(self, request: Request, ws: Any, sender_id: str) -> None:
        """While waiting for an agent, tell the page its place in the queue."""
        while True:
            agent = getattr(request.app.ctx, "agent", None)
            tracker = (
                await agent.tracker_store.retrieve(sender_id)
                if agent is not None and agent.tracker_store
                else None
            )
            if tracker is not None and tracker.is_paused():
                events = list(tracker.events)
                status = await self.forwarder.queue_status(sender_id)
                if status and not agent_names(events):
                    await ws.send(
                        _dumps(
                            {
                                "type": "queue",
                                "position": status.get("position"),
                                "expected_wait_minutes": status.get("expected_wait_minutes"),
                            }
                        )
                    )
            await asyncio.sleep(QUEUE_UPDATE_SECONDS)

    # -- blueprint ----------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat_channel", __name__)
        webchat.static("/static", str(self.static_dir), name="webchat_static")

        @webchat.listener("before_server_start")
        async def mask_logs(app: Any, loop: Any) -> None:
            # Sanic and Rasa add their handlers after this module is imported
            install_log_masking()
            await self.push.start()

        @webchat.listener("after_server_stop")
        async def stop_push(app: Any, loop: Any) -> None:
            await self.push.stop()

        @webchat.exception(ApiError)
        async def api_error(request: Request, error: ApiError) -> HTTPResponse:
            return _json({"code": error.code, "detail": error.detail}, status=error.status)

        @webchat.route("/", methods=["GET"], strict_slashes=False)
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # the page loads ./static/... and calls ./session relative to itself
                return response.redirect(
                    request.path
                    + "/"
                    + (f"?{request.query_string}" if request.query_string else "")
                )
            return await response.file(str(self.static_dir / "index.html"), headers=PAGE_HEADERS)

        @webchat.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            body = _json_body(request)
            previous = self.decode_session_token(
                body.get("session_token") if isinstance(body.get("session_token"), str) else None
            )
            app_token = _bearer(request)
            current, resumed = self.start_session(app_token, previous)
            token, ttl = self.issue_session_token(current)
            logger.info(
                "webchat: session %s sender=%s channel=%s",
                "resumed" if resumed else "started",
                current.sender_id,
                current.channel,
            )
            return _json(
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
            current = self.authenticate(request)
            agent = _ready_agent(request, need_processor=False)
            tracker = await agent.tracker_store.retrieve_full_tracker(current.sender_id)
            events = list(tracker.events) if tracker is not None else []
            paused = bool(tracker is not None and tracker.is_paused())
            return _json(
                {
                    "messages": transcript(events),
                    "handoff": {"active": paused, "agent": agent_names(events) if paused else None},
                }
            )

        @webchat.route("/messages", methods=["POST"])
        async def messages(request: Request) -> HTTPResponse:
            current = self.authenticate(request)
            body = _json_body(request)
            agent = _ready_agent(request, need_processor=True)
            text = await self.prepare_text(body.get("text"), agent, current.sender_id)
            logger.debug("webchat: message sender=%s text=%s", current.sender_id, mask_pii(text))

            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                current.sender_id,
                input_channel=self.name(),
                metadata=self.metadata_for(current),
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
            handoff = await self._after_message(agent, current.sender_id)
            body = {"messages": [_public_message(m) for m in collector.messages]}
            if handoff is not None:
                body["handoff"] = handoff
            return _json(body)

        @webchat.websocket("/ws")
        async def push_socket(request: Request, ws: Any) -> None:
            current = self.decode_session_token(request.args.get("token"))
            if current is None:
                await ws.close(code=4401, reason="invalid_session")
                return
            if current.channel == "app":
                try:
                    self.verify_app_token(current.app_token or "")
                except ApiError:
                    await ws.close(code=4401, reason="invalid_app_token")
                    return
            await self._serve_socket(request, ws, current.sender_id)

        @webchat.route("/agent/<conversation_id>/messages", methods=["POST"])
        async def agent_message(request: Request, conversation_id: str) -> HTTPResponse:
            self._require_agent_token(request)
            body = _json_body(request)
            text = self.clean_text(body.get("text"))
            name = str(body.get("agent") or "人工客服")[:20]
            agent = _ready_agent(request, need_processor=True)
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
            return _json({"ts": ts})

        @webchat.route("/agent/<conversation_id>/typing", methods=["POST"])
        async def agent_typing(request: Request, conversation_id: str) -> HTTPResponse:
            self._require_agent_token(request)
            body = _json_body(request)
            await self.push.publish(
                conversation_id,
                {
                    "type": "typing",
                    "from": "agent",
                    "agent": str(body.get("agent") or "")[:20],
                    "typing": bool(body.get("typing", True)),
                },
            )
            return _json({"status": "ok"})

        @webchat.route("/agent/<conversation_id>/close", methods=["POST"])
        async def agent_close(request: Request, conversation_id: str) -> HTTPResponse:
            self._require_agent_token(request)
            agent = _ready_agent(request, need_processor=True)
            messages = await resume_conversation(agent, conversation_id)
            public = [_public_message(m) for m in messages or []]
            await self.push.publish(
                conversation_id,
                {
                    "type": "handoff",
                    "state": "ended",
                    "messages": public,
                },
            )
            return _json({"resumed": messages is not None, "messages": public})

        return webchat


def _ready_agent(request: Request, *, need_processor: bool) -> Any:
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or getattr(agent, "tracker_store", None) is None:
        raise ApiError(503, "bot_unavailable", "智能客服正在启动，请稍后再试 / assistant not ready")
    if need_processor and not agent.is_ready():
        raise ApiError(503, "bot_unavailable", "智能客服正在启动，请稍后再试 / assistant not ready")
    return agent


async def _offered_payloads(agent: Any, sender_id: str) -> set[str]:
    """Button payloads the bot offered since the customer's last message."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    offered: set[str] = set()
    if tracker is None:
        return offered
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in event.data.get("buttons") or []:
                if isinstance(button.get("payload"), str):
                    offered.add(button["payload"].strip())
    return offered


def _public_buttons(buttons: Any) -> list[dict[str, str]]:
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons or []
        if isinstance(b, dict)
    ]


def _public_message(message: dict[str, Any]) -> dict[str, Any]:
    public: dict[str, Any] = {
        "text": message.get("text"),
        "buttons": _public_buttons(message.get("buttons")),
    }
    for key in ("image", "custom"):
        if message.get(key) is not None:
            public[key] = message[key]
    return public


def transcript(events: Iterable[Any], limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The customer-visible messages of a conversation, oldest first (at most ``limit``).

    Bot texts are split on blank lines as `CollectingOutputChannel` does, so a reload shows
    the same bubbles as the live reply. A button payload the customer sent is shown as the
    title of the button it came from.
    """
    entries: list[dict[str, Any]] = []
    last_buttons: list[dict[str, str]] = []
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text
            if not text:
                continue
            titles = {b["payload"]: b["title"] for b in last_buttons}
            entries.append(
                {
                    "from": "user",
                    "text": titles.get(text, text),
                    "buttons": [],
                    "ts": _utc_iso(event.timestamp),
                }
            )
            last_buttons = []
        elif isinstance(event, BotUttered):
            buttons = _public_buttons(event.data.get("buttons"))
            if buttons:
                last_buttons = buttons
            ts = _utc_iso(event.timestamp)
            agent_name = (event.metadata or {}).get("agent")
            if agent_name:
                entries.append(
                    {
                        "from": "agent",
                        "agent": str(agent_name),
                        "text": event.text or "",
                        "buttons": [],
                        "ts": ts,
                    }
                )
                continue
            if event.text and not buttons:
                for part in event.text.strip().split("\n\n"):
                    entries.append({"from": "bot", "text": part, "buttons": [], "ts": ts})
            elif event.text or buttons:
                entries.append(
                    {"from": "bot", "text": event.text or "", "buttons": buttons, "ts": ts}
                )
    return entries[-limit:]
