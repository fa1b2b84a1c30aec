"""The supervisor's overview: queue length and waits, work in progress, agents online."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.handoff.models import AgentPresence, CallbackRequest, Handoff
from crm_api.handoff.presence import online_staff
from crm_api.handoff.queueing import list_waiting


def stats(
    *, session: Session, now: datetime, window_seconds: int, day_start: datetime
) -> dict[str, Any]:
    waiting = list_waiting(session=session)
    waits = [(now - h.created_at).total_seconds() for h in waiting]
    online = online_staff(session=session, now=now, window_seconds=window_seconds)
    active_by_staff: dict[int | None, int] = dict(
        session.execute(
            select(Handoff.claimed_by, func.count())
            .where(Handoff.status == "claimed")
            .group_by(Handoff.claimed_by)
        )
        .tuples()
        .all()
    )
    handled_by_staff: dict[int | None, int] = dict(
        session.execute(
            select(Handoff.closed_by, func.count())
            .where(Handoff.status == "closed", Handoff.closed_at >= day_start)
            .group_by(Handoff.closed_by)
        )
        .tuples()
        .all()
    )
    presence = {p.staff_id: p for p in session.scalars(select(AgentPresence))}
    return {
        "queue_length": len(waiting),
        "longest_wait_seconds": int(max(waits, default=0)),
        "average_wait_seconds": int(sum(waits) / len(waits)) if waits else 0,
        "in_progress": sum(active_by_staff.values()),
        "handled_today": sum(handled_by_staff.values()),
        "open_callbacks": int(
            session.scalar(
                select(func.count())
                .select_from(CallbackRequest)
                .where(CallbackRequest.status == "open")
            )
            or 0
        ),
        "agents": [
            {
                "staff_id": s.id,
                "display_name": s.display_name,
                "role": s.role,
                "online_since": presence[s.id].online_since if s.id in presence else None,
                "active": int(active_by_staff.get(s.id, 0)),
                "handled_today": int(handled_by_staff.get(s.id, 0)),
            }
            for s in online
        ],
    }
