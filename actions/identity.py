"""Who the customer is. The customer id comes only from a verified session.

Two ways to be verified:
- the bank's app sends a signed identity token (HS256 JWT, `sub` = customer id), put into
  message metadata by the input channel; it is verified here, with the shared secret;
- an anonymous web visitor passes the one-time-code form, which sets `customer_id`.
Nothing the customer types can set `customer_id` (its slot mapping is `custom`).
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
from rasa_sdk import Tracker

from actions.settings import get_settings

logger = logging.getLogger(__name__)


def customer_id_from_identity_token(token: Any) -> str | None:
    """Return the customer id of a valid app identity token, else None."""
    secret = get_settings().app_token_secret
    if not token or not isinstance(token, str) or not secret:
        return None
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
        )
    except jwt.PyJWTError as exc:
        logger.info("identity token rejected: %s", type(exc).__name__)
        return None
    subject = str(claims.get("sub", ""))
    return subject if subject.isdigit() else None


def verified_customer_id(tracker: Tracker) -> str | None:
    """The verified customer of this session, or None."""
    if tracker.get_slot("customer_verified") and tracker.get_slot("customer_id"):
        return str(tracker.get_slot("customer_id"))
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return customer_id_from_identity_token(metadata.get("identity_token"))


def channel_of(tracker: Tracker) -> str:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    session_metadata = tracker.get_slot("session_started_metadata") or {}
    channel = metadata.get("channel") or session_metadata.get("channel")
    if channel in {"web", "app"}:
        return str(channel)
    return tracker.get_latest_input_channel() or "rest"
