"""Staff users of the console and their login sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

StaffRole = Literal["agent", "supervisor", "trainer"]
STAFF_ROLES: tuple[StaffRole, ...] = get_args(StaffRole)
ROLE_LABELS: dict[StaffRole, str] = {"agent": "坐席", "supervisor": "主管", "trainer": "训练师"}


class StaffUser(Base):
    """A console user. Only an argon2 hash of the password is stored."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'supervisor', 'trainer')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50), comment="如 小李")
    role: Mapped[StaffRole] = mapped_column(String(20))
    branch: Mapped[str] = mapped_column(String(30), comment="所属机构，如 北京分行 / 总行")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def sees_all_branches(self) -> bool:
        """Supervisors and trainers work across branches; agents only see their own."""
        return self.role != "agent"


class StaffSession(Base):
    """A server-side login session; the client holds the token, we keep its SHA-256."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
