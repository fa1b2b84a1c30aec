"""Who is at a console: heartbeats from the staff console and the online window."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.handoff.models import AgentPresence
from crm_api.staff.models import StaffUser

# the staff roles that take conversations (trainers improve the bot; they do not)
HANDLER_ROLES = ("agent", "supervisor")


def heartbeat(*, session: Session, staff: StaffUser, now: datetime, status: str = "online") -> None:
    presence = session.get(AgentPresence, staff.id)
    if presence is None:
        presence = AgentPresence(
            staff_id=staff.id,
            status=status,
            last_seen_at=now,
            online_since=now if status == "online" else None,
        )
        session.add(presence)
    else:
        if status == "online" and (presence.status != "online" or presence.online_since is None):
            presence.online_since = now
        presence.status = status
        presence.last_seen_at = now
    session.flush()


def online_staff(*, session: Session, now: datetime, window_seconds: int) -> list[StaffUser]:
    """Agents and supervisors whose console sent a heartbeat within the window."""
    return list(
        session.scalars(
            select(StaffUser)
            .join(AgentPresence, AgentPresence.staff_id == StaffUser.id)
            .where(
                AgentPresence.status == "online",
                AgentPresence.last_seen_at >= now - timedelta(seconds=window_seconds),
                StaffUser.active.is_(True),
                StaffUser.role.in_(HANDLER_ROLES),
            )
            .order_by(StaffUser.id)
        )
    )
