"""Passwords (argon2), login sessions and who may see which complaints."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.staff.errors import (
    DefaultPasswordRefused,
    InvalidCredentials,
    NotAuthenticated,
    StaffLocked,
    StaffNotFound,
)
from crm_api.staff.models import StaffRole, StaffSession, StaffUser

logger = logging.getLogger(__name__)

# The documented password of the seeded demo staff when CRM_STAFF_DEMO_PASSWORD is unset.
# It is public on purpose (README) and therefore refused at login in production.
DEMO_DEFAULT_PASSWORD = "kefu-demo-2026"

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginResult:
    staff: StaffUser
    token: str
    expires_at: datetime


def login(
    *,
    session: Session,
    username: str,
    password: str,
    now: datetime,
    lifetime: timedelta,
    max_failed: int,
    lock_seconds: int,
    production: bool,
) -> LoginResult:
    """Check the password and open a session.

    Raises:
        InvalidCredentials, StaffLocked, DefaultPasswordRefused (production only).
    """
    staff = session.scalar(
        select(StaffUser).where(StaffUser.username == username.strip()).with_for_update()
    )
    if staff is None or not staff.active:
        verify_password(_DUMMY_HASH, password)
        raise InvalidCredentials()
    if staff.locked_until is not None and staff.locked_until > now:
        raise StaffLocked(retry_after=int((staff.locked_until - now).total_seconds()))
    if not verify_password(staff.password_hash, password):
        staff.failed_logins += 1
        if staff.failed_logins >= max_failed:
            staff.locked_until = now + timedelta(seconds=lock_seconds)
            staff.failed_logins = 0
            logger.warning("staff.locked staff_id=%s", staff.id)
        session.flush()
        raise InvalidCredentials()
    if production and password == DEMO_DEFAULT_PASSWORD:
        logger.warning("staff.default_password_refused staff_id=%s", staff.id)
        raise DefaultPasswordRefused()
    staff.failed_logins = 0
    staff.locked_until = None
    staff.last_login_at = now
    token = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    session.add(
        StaffSession(
            staff_id=staff.id, token_hash=token_hash(token), created_at=now, expires_at=expires_at
        )
    )
    session.flush()
    logger.info("staff.login staff_id=%s role=%s", staff.id, staff.role)
    return LoginResult(staff=staff, token=token, expires_at=expires_at)


def authenticate(*, session: Session, token: str, now: datetime) -> StaffUser:
    """The staff user of a live session token; `NotAuthenticated` otherwise."""
    row = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        raise NotAuthenticated()
    staff_session, staff = row.tuple()
    if staff_session.revoked_at is not None or staff_session.expires_at <= now or not staff.active:
        raise NotAuthenticated()
    return staff


def logout(*, session: Session, token: str, now: datetime) -> None:
    staff_session = session.scalar(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    )
    if staff_session is not None and staff_session.revoked_at is None:
        staff_session.revoked_at = now
        session.flush()


def get_staff(*, session: Session, staff_id: int) -> StaffUser:
    staff = session.get(StaffUser, staff_id)
    if staff is None or not staff.active:
        raise StaffNotFound()
    return staff


def display_names(*, session: Session, staff_ids: Iterable[int | None]) -> dict[int, str]:
    """Staff id → display name, for the ids that are set (a handler, a claimer…)."""
    wanted = {i for i in staff_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(wanted))
    )
    return {row.id: row.display_name for row in rows}


def list_staff(*, session: Session, viewer: StaffUser) -> list[StaffUser]:
    """Colleagues the viewer may assign work to: everyone for supervisors, else own branch."""
    query = select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.id)
    if not viewer.sees_all_branches:
        query = query.where(StaffUser.branch == viewer.branch)
    return list(session.scalars(query))


def create_staff(
    *,
    session: Session,
    username: str,
    display_name: str,
    role: StaffRole,
    branch: str,
    password: str,
) -> StaffUser:
    staff = StaffUser(
        username=username,
        display_name=display_name,
        role=role,
        branch=branch,
        password_hash=hash_password(password),
    )
    session.add(staff)
    session.flush()
    return staff
