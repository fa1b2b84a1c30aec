"""Demo stand-ins for outside systems: the SMS gateway and the bank app's login service."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.config import Settings
from crm_api.customers.models import Customer
from crm_api.demo.models import SmsOutboxMessage

APP_TOKEN_ISSUER = "demo-app"
APP_TOKEN_TTL = timedelta(hours=1)


def record_sms(*, session: Session, phone: str, text: str, now: datetime) -> SmsOutboxMessage:
    message = SmsOutboxMessage(phone=phone, text=text, sent_at=now)
    session.add(message)
    session.flush()
    return message


def list_outbox(*, session: Session, phone: str | None, limit: int) -> list[SmsOutboxMessage]:
    query = select(SmsOutboxMessage).order_by(
        SmsOutboxMessage.sent_at.desc(), SmsOutboxMessage.id.desc()
    )
    if phone is not None:
        query = query.where(SmsOutboxMessage.phone == phone)
    return list(session.scalars(query.limit(limit)))


def issue_app_token(*, settings: Settings, customer: Customer, now: datetime) -> str:
    """What the bank app's login service would hand the app after login (HS256 JWT)."""
    claims = {
        "sub": str(customer.id),
        "iss": APP_TOKEN_ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + APP_TOKEN_TTL).timestamp()),
    }
    return jwt.encode(claims, settings.app_token_secret.get_secret_value(), algorithm="HS256")
