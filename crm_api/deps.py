"""Annotated dependencies shared by the routers."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from crm_api.clock import Clock, utc_now
from crm_api.config import Settings
from crm_api.database import session_scope
from crm_api.errors import Unauthorized


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; the endpoint commits, anything else is rolled back."""
    yield from session_scope(request.app.state.session_factory)


def get_clock() -> Clock:
    """The time source; tests override it to move time without sleeping."""
    return utc_now


@dataclass(frozen=True)
class ServiceCallerInfo:
    """Who called: recorded as the actor in the audit log."""

    name: str


_bearer = HTTPBearer(auto_error=False, description="CRM_SERVICE_TOKEN")


def require_service_caller(
    settings: Annotated[Settings, Depends(get_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ServiceCallerInfo:
    """Accept only `Authorization: Bearer <CRM_SERVICE_TOKEN>` (constant-time compare)."""
    expected = settings.crm_service_token.get_secret_value().encode()
    given = credentials.credentials.encode() if credentials else b""
    if not credentials or not hmac.compare_digest(given, expected):
        raise Unauthorized()
    return ServiceCallerInfo(name="action_server")


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
ServiceCaller = Annotated[ServiceCallerInfo, Depends(require_service_caller)]
