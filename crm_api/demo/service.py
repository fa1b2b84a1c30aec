"""Demo stand-in for the bank app's login service (the SMS gateway's is in otp/sms.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from crm_api.config import Settings
from crm_api.customers.models import Customer

APP_TOKEN_ISSUER = "demo-app"
APP_TOKEN_TTL = timedelta(hours=1)


def issue_app_token(*, settings: Settings, customer: Customer, now: datetime) -> str:
    """What the bank app's login service would hand the app after login (HS256 JWT)."""
    claims = {
        "sub": str(customer.id),
        "iss": APP_TOKEN_ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + APP_TOKEN_TTL).timestamp()),
    }
    return jwt.encode(claims, settings.app_token_secret.get_secret_value(), algorithm="HS256")
