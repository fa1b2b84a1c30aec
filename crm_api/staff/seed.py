"""Demo staff console users: agents in three branches and for anonymous complaints, a
supervisor and a trainer.

Passwords: `CRM_STAFF_DEMO_PASSWORD`, else the documented demo default
(`crm_api.staff.service.DEMO_DEFAULT_PASSWORD`, refused at login in production). With
`CRM_ENV=production` no demo staff are created at all.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import TypedDict

from sqlalchemy import delete
from sqlalchemy.orm import Session

from crm_api.clock import UTC
from crm_api.complaints.models import ANONYMOUS_BRANCH
from crm_api.seeding import insert_rows, move_id_sequences_past_rows
from crm_api.staff.models import StaffRole, StaffSession, StaffUser
from crm_api.staff.service import DEMO_DEFAULT_PASSWORD, hash_password

logger = logging.getLogger(__name__)

# username, display name, role, branch
DEMO_STAFF: list[tuple[str, str, StaffRole, str]] = [
    ("xiaoli", "小李", "agent", "北京分行"),
    ("xiaowang", "小王", "agent", "上海分行"),
    ("xiaochen", "小陈", "agent", "广州分行"),
    ("xiaozhao", "小赵", "agent", ANONYMOUS_BRANCH),  # takes the anonymous complaints
    ("zhangzhuguan", "张主管", "supervisor", "总行"),
    ("liuxunlian", "刘老师", "trainer", "总行"),
]


class StaffRow(TypedDict):
    """A `staff_users` row; the complaints' seed assigns work by role and branch."""

    id: int
    username: str
    display_name: str
    role: StaffRole
    branch: str
    password_hash: str
    active: bool
    failed_logins: int
    created_at: datetime


def staff_rows() -> list[StaffRow]:
    """The demo staff rows (none in production); pure apart from the password hashes."""
    if os.environ.get("CRM_ENV", "development").strip().lower() == "production":
        logger.warning("seed.demo_staff_skipped env=production (use `manage create-staff`)")
        return []
    password = os.environ.get("CRM_STAFF_DEMO_PASSWORD") or DEMO_DEFAULT_PASSWORD
    created = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "id": i + 1,
            "username": u,
            "display_name": n,
            "role": r,
            "branch": b,
            "password_hash": hash_password(password),
            "active": True,
            "failed_logins": 0,
            "created_at": created,
        }
        for i, (u, n, r, b) in enumerate(DEMO_STAFF)
    ]


def seed(*, session: Session) -> list[StaffRow]:
    """Insert the demo staff; returns their rows (complaints are assigned to them)."""
    rows = staff_rows()
    insert_rows(session, StaffUser, rows)
    move_id_sequences_past_rows(session, ["staff_users"])
    return rows


def clear(session: Session) -> None:
    for model in (StaffSession, StaffUser):
        session.execute(delete(model))
