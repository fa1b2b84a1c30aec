"""The audit row a member of staff leaves when reading or changing customer data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crm_api.accounts.models import AuditLogEntry
from crm_api.staff.models import StaffUser


def record_staff_action(
    *,
    session: Session,
    staff: StaffUser,
    action: str,
    now: datetime,
    reference: str | None = None,
    **detail: Any,
) -> None:
    """Adds an audit row naming the person and their role; ``detail`` holds no full numbers."""
    session.add(
        AuditLogEntry(
            actor=f"staff:{staff.username}"[:50],
            action=action,
            account_id=None,
            reference=reference,
            created_at=now,
            detail={"staff_id": staff.id, "role": staff.role, **detail},
        )
    )
    session.flush()
