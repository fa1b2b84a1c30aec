"""Annotated dependencies shared by the routers."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from crm_api.clock import Clock, utc_now
from crm_api.config import Settings
from crm_api.database import session_scope
from crm_api.errors import Unauthorized
from crm_api.staff import service as staff_service
from crm_api.staff.errors import Forbidden, NotAuthenticated
from crm_api.staff.models import StaffUser


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


# ---- staff console: a server-side session, as a cookie (console) or a bearer token (API)

STAFF_COOKIE = "crm_staff_session"
# Cookie-authenticated writes must carry this header: a cross-site form cannot set it,
# and a cross-site fetch with it needs a CORS preflight that crm_api never grants.
CSRF_HEADER = "X-Requested-With"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_staff_bearer = HTTPBearer(
    auto_error=False, scheme_name="StaffSession", description="token from POST /staff/login"
)


def staff_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_staff_bearer)],
) -> str | None:
    if credentials is not None:
        return credentials.credentials
    token = request.cookies.get(STAFF_COOKIE)
    if token and request.method not in _SAFE_METHODS and not request.headers.get(CSRF_HEADER):
        raise NotAuthenticated()
    return token


def get_current_staff(
    session: SessionDep,
    clock: ClockDep,
    token: Annotated[str | None, Depends(staff_token)],
) -> StaffUser:
    if not token:
        raise NotAuthenticated()
    return staff_service.authenticate(session=session, token=token, now=clock())


CurrentStaff = Annotated[StaffUser, Depends(get_current_staff)]


def require_role(*roles: str) -> Callable[[StaffUser], StaffUser]:
    """A dependency: the logged-in staff user, who must have one of `roles`."""

    def _check(staff: CurrentStaff) -> StaffUser:
        if staff.role not in roles:
            raise Forbidden()
        return staff

    return _check


ManagerStaff = Annotated[StaffUser, Depends(require_role("supervisor", "trainer"))]
TrainerStaff = Annotated[StaffUser, Depends(require_role("trainer"))]
ComplaintStaff = Annotated[StaffUser, Depends(require_role("agent", "supervisor"))]
