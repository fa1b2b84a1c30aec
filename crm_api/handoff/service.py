"""A conversation in a person's hands: atomic claims, who may read or write it, transfers,
notes and closing.

Service functions are keyword-only and flush; the use case (flows.py) owns the transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankkit.masking import mask_digit_runs
from crm_api.database import rows_updated
from crm_api.handoff.errors import (
    AlreadyClaimed,
    HandoffClosed,
    HandoffNotFound,
    InvalidDisposition,
    NotYourHandoff,
    TransferTargetInvalid,
)
from crm_api.handoff.models import Handoff, HandoffActivity
from crm_api.handoff.presence import HANDLER_ROLES, online_staff
from crm_api.staff.models import StaffUser

logger = logging.getLogger(__name__)

DISPOSITIONS = {
    "resolved": "问题已解决",
    "info_provided": "已解答咨询",
    "complaint_filed": "已登记投诉",
    "fraud_escalated": "已转反诈/风控处理",
    "card_frozen": "已协助冻结/挂失",
    "branch_referral": "需到网点办理",
    "callback_needed": "需回电跟进",
    "no_response": "客户无应答",
    "other": "其他",
}


def get_handoff(*, session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffNotFound()
    return handoff


def list_claimed(*, session: Session, staff: StaffUser | None = None) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == "claimed").order_by(Handoff.claimed_at)
    if staff is not None:
        query = query.where(Handoff.claimed_by == staff.id)
    return list(session.scalars(query))


def claim(*, session: Session, now: datetime, handoff_id: int, staff: StaffUser) -> Handoff:
    """Take a waiting conversation. One conditional UPDATE: of concurrent claims exactly one
    changes the row (SQLite serialises writers; PostgreSQL re-checks the WHERE after the
    winner commits), every other sees zero rows and gets `AlreadyClaimed`."""
    changed = rows_updated(
        session,
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "waiting")
        .values(status="claimed", claimed_by=staff.id, claimed_at=now)
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise HandoffNotFound()
        session.refresh(handoff)
        if handoff.status in ("closed", "cancelled"):
            raise HandoffClosed()
        raise AlreadyClaimed()
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    session.refresh(handoff)
    record_activity(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        kind="claimed",
        body=f"{staff.display_name} 接入",
    )
    logger.info("handoff.claimed id=%s staff_id=%s", handoff.id, staff.id)
    return handoff


def require_claim(
    *, session: Session, handoff_id: int, staff: StaffUser, read_only: bool = False
) -> Handoff:
    """The handoff if `staff` holds its claim; supervisors may also read any handoff."""
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    if read_only and staff.role == "supervisor":
        return handoff
    if handoff.claimed_by != staff.id:
        raise NotYourHandoff()
    if handoff.status != "claimed":
        if read_only:
            return handoff
        raise HandoffClosed()
    return handoff


def transfer_target(*, session: Session, staff_id: int) -> StaffUser:
    """The colleague a conversation may be handed to: an active agent or supervisor."""
    target = session.get(StaffUser, staff_id)
    if target is None or not target.active or target.role not in HANDLER_ROLES:
        raise TransferTargetInvalid()
    return target


def transfer(
    *,
    session: Session,
    now: datetime,
    handoff: Handoff,
    staff: StaffUser,
    target: StaffUser | None,
    note: str | None,
    window_seconds: int,
) -> Handoff:
    """Hand a claimed conversation to another online colleague, or back to the queue."""
    if target is not None:
        online_ids = {
            s.id for s in online_staff(session=session, now=now, window_seconds=window_seconds)
        }
        if target.id == staff.id or target.id not in online_ids:
            raise TransferTargetInvalid()
        values: dict[str, Any] = {"claimed_by": target.id, "claimed_at": now}
        body = f"{staff.display_name} 转给 {target.display_name}"
    else:
        values = {"status": "waiting", "claimed_by": None, "claimed_at": None}
        body = f"{staff.display_name} 退回队列"
    changed = rows_updated(
        session,
        update(Handoff)
        .where(
            Handoff.id == handoff.id, Handoff.status == "claimed", Handoff.claimed_by == staff.id
        )
        .values(**values)
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise NotYourHandoff()
    session.refresh(handoff)
    record_activity(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        kind="transferred",
        body=body + (f"：{note}" if note else ""),
    )
    return handoff


def close(
    *,
    session: Session,
    now: datetime,
    handoff: Handoff,
    staff: StaffUser,
    summary: str,
    disposition: str,
) -> Handoff:
    if disposition not in DISPOSITIONS:
        raise InvalidDisposition()
    changed = rows_updated(
        session,
        update(Handoff)
        .where(
            Handoff.id == handoff.id, Handoff.status == "claimed", Handoff.claimed_by == staff.id
        )
        .values(
            status="closed",
            closed_at=now,
            closed_by=staff.id,
            summary=summary,
            disposition=disposition,
        )
        .execution_options(synchronize_session=False),
    )
    if changed != 1:
        raise HandoffClosed()
    session.refresh(handoff)
    record_activity(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        kind="closed",
        body=f"{DISPOSITIONS[disposition]}：{summary}",
    )
    logger.info("handoff.closed id=%s disposition=%s", handoff.id, disposition)
    return handoff


def add_note(
    *, session: Session, now: datetime, handoff: Handoff, staff: StaffUser, body: str
) -> HandoffActivity:
    return record_activity(
        session=session, now=now, handoff=handoff, staff=staff, kind="note", body=body
    )


def record_activity(
    *, session: Session, now: datetime, handoff: Handoff, staff: StaffUser, kind: str, body: str
) -> HandoffActivity:
    """What a staff member did with a handoff, for its activity log (never shown to customers)."""
    activity = HandoffActivity(
        handoff_id=handoff.id, staff_id=staff.id, kind=kind, body=body, created_at=now
    )
    session.add(activity)
    session.flush()
    return activity


def activities(*, session: Session, handoff: Handoff) -> list[HandoffActivity]:
    return list(
        session.scalars(
            select(HandoffActivity)
            .where(HandoffActivity.handoff_id == handoff.id)
            .order_by(HandoffActivity.id)
        )
    )


def record_customer_message(*, session: Session, handoff: Handoff, text: str) -> None:
    handoff.last_message = mask_digit_runs(text)[:200]
    session.flush()
