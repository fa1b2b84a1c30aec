"""Session tokens: the conversation a page or app talks in, and the app user's identity.

The conversation (Rasa sender id) is bound to a session token signed with WEBCHAT_SECRET;
the client never chooses a sender id. App users prove who they are with an app identity
token (HS256, APP_TOKEN_SECRET), checked when the session starts and on every request.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from sanic.request import Request

from bot.channels.webchat.api import bearer_token, invalid_app_token, invalid_session

logger = logging.getLogger(__name__)

DEFAULT_SESSION_TTL_SECONDS = 24 * 3600
SESSION_AUDIENCE = "webchat-session"
SESSION_ISSUER = "bank-assistant-webchat"
APP_TOKEN_LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Session:
    """The verified claims of a session token."""

    sender_id: str
    channel: str  # "web" | "app"
    customer_id: str | None = None
    app_token: str | None = None


class SessionTokens:
    """Issues and checks session tokens; checks the bank app's identity tokens."""

    def __init__(
        self,
        webchat_secret: str,
        app_token_secret: str,
        *,
        app_token_issuer: str | None = None,
        ttl_seconds: int = DEFAULT_SESSION_TTL_SECONDS,
    ) -> None:
        self.webchat_secret = webchat_secret
        self.app_token_secret = app_token_secret
        self.app_token_issuer = app_token_issuer or None
        self.ttl_seconds = ttl_seconds

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

    def issue(self, session: Session) -> tuple[str, int]:
        """A signed token for ``session`` and its lifetime in seconds."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": session.sender_id,
            "ch": session.channel,
            "iss": SESSION_ISSUER,
            "aud": SESSION_AUDIENCE,
            "iat": now,
            "exp": now + self.ttl_seconds,
        }
        if session.channel == "app":
            claims["customer_id"] = session.customer_id
            claims["app_token"] = session.app_token
        return jwt.encode(claims, self.webchat_secret, algorithm="HS256"), self.ttl_seconds

    def decode(self, token: str | None) -> Session | None:
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
        session = self.decode(bearer_token(request))
        if session is None:
            raise invalid_session()
        if session.channel == "app":
            # the app token inside may have expired since the session was issued
            self.verify_app_token(session.app_token or "")
        return session

    def start(self, app_token: str | None, previous: Session | None) -> tuple[Session, bool]:
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


def message_metadata(session: Session) -> dict[str, Any]:
    """Message metadata, set here only; whatever the client sends is ignored.

    The action server verifies ``identity_token`` again before any customer data is read.
    """
    metadata: dict[str, Any] = {"channel": session.channel}
    if session.channel == "app":
        metadata["identity_token"] = session.app_token
    return metadata
