"""The ``webchat`` input channel: its settings and the blueprint Rasa mounts."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bankkit.masking import install_log_masking
from bankkit.secrets import SecretRefused, check_secret
from bot.channels.handoff import CrmForwarder
from bot.channels.push import PushHub
from bot.channels.webchat.api import ApiError, json_response
from bot.channels.webchat.messages import DEFAULT_ALLOWED_PAYLOAD_INTENTS, PayloadFilter
from bot.channels.webchat.relay import AgentRelay
from bot.channels.webchat.routes import add_customer_routes
from bot.channels.webchat.sessions import DEFAULT_SESSION_TTL_SECONDS, SessionTokens

logger = logging.getLogger(__name__)
install_log_masking()

STATIC_DIR = Path(__file__).resolve().parents[2] / "static" / "webchat"


def _check_secret(name: str, value: str | None) -> str:
    """The secret, if set and (in production) real: the rule crm_api's settings apply too."""
    if not value:
        raise RasaException(f"webchat channel: {name} is not set")
    production = os.environ.get("CRM_ENV", "development") == "production"
    try:
        placeholder = check_secret(name, value, production=production)
    except SecretRefused as refused:
        raise RasaException(f"webchat channel: {refused}") from None
    if placeholder:
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
        self.sessions = SessionTokens(
            webchat_secret,
            app_token_secret,
            app_token_issuer=app_token_issuer,
            ttl_seconds=session_ttl_seconds,
        )
        self.payloads = PayloadFilter(allowed_payload_intents)
        self.static_dir = Path(static_dir)
        self.push = PushHub(redis_url)
        self.relay = AgentRelay(agent_token, CrmForwarder(crm_url, crm_service_token), self.push)

    @property
    def webchat_secret(self) -> str:
        return self.sessions.webchat_secret

    @property
    def app_token_secret(self) -> str:
        return self.sessions.app_token_secret

    @property
    def allowed_payload_intents(self) -> frozenset[str]:
        return self.payloads.allowed_intents

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
            return json_response({"code": error.code, "detail": error.detail}, status=error.status)

        add_customer_routes(
            webchat,
            input_channel=self.name(),
            on_new_message=on_new_message,
            sessions=self.sessions,
            payloads=self.payloads,
            relay=self.relay,
            static_dir=self.static_dir,
        )
        self.relay.add_routes(webchat)
        return webchat
