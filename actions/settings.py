"""Action-server configuration from environment variables (documented in .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class ActionSettings:
    crm_url: str
    crm_service_token: str
    app_token_secret: str
    demo_mode: bool
    crm_public_url: str
    crm_timeout_seconds: float
    statement_lines: int


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    crm_url = os.environ.get("CRM_URL", "http://127.0.0.1:8000").rstrip("/")
    return ActionSettings(
        crm_url=crm_url,
        crm_service_token=os.environ.get("CRM_SERVICE_TOKEN", ""),
        app_token_secret=os.environ.get("APP_TOKEN_SECRET", ""),
        demo_mode=_flag("CRM_DEMO_MODE", "false"),
        crm_public_url=os.environ.get("CRM_PUBLIC_URL", crm_url).rstrip("/"),
        crm_timeout_seconds=float(os.environ.get("CRM_TIMEOUT_SECONDS", "5")),
        statement_lines=int(os.environ.get("STATEMENT_LINES", "5")),
    )
