"""Filing complaints (idempotent), the status lifecycle, notes, assignment, follow-ups."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankkit.complaints import OPEN_STATUSES, ComplaintCategory, ComplaintStatus
from bankkit.identifiers import normalise_phone
from crm_api.clock import SHANGHAI, shanghai_day_start
from crm_api.complaints import sla
from crm_api.complaints.errors import (
    AssigneeNotAllowed,
    ComplaintNotFound,
    ContactPhoneRequired,
    FollowUpNotFound,
    IdempotencyKeyReused,
    InvalidStatusTransition,
    ResolutionRequired,
)
from crm_api.complaints.models import (
    ANONYMOUS_BRANCH,
    Complaint,
    ComplaintNote,
    ContactMethod,
    FollowUpTask,
)
from crm_api.customers.service import get_customer
from crm_api.satisfaction.models import SatisfactionResponse
from crm_api.staff.errors import Forbidden
from crm_api.staff.models import StaffUser

logger = logging.getLogger(__name__)

FOLLOW_UP_AFTER = timedelta(days=3)
SYSTEM_AUTHOR = "系统"

# Allowed status changes. Going back to 处理中 from 已解决/已关闭 is a reopen.
TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    "已受理": frozenset({"处理中", "已解决"}),
    "处理中": frozenset({"已解决"}),
    "已解决": frozenset({"已关闭", "处理中"}),
    "已关闭": frozenset({"处理中"}),
}


def branch_of_city(city: str) -> str:
    return f"{city}分行"


def complaint_number(filed_at: datetime, sequence: int) -> str:
    """`TS` + Beijing date + daily sequence, e.g. `TS202611290001`."""
    return f"TS{filed_at.astimezone(SHANGHAI):%Y%m%d}{sequence:04d}"


def _next_number(session: Session, now: datetime) -> str:
    prefix = complaint_number(now, 0)[:-4]
    latest = session.scalar(
        select(func.max(Complaint.number)).where(Complaint.number.like(f"{prefix}%"))
    )
    return complaint_number(now, int(latest[-4:]) + 1 if latest else 1)


def _fingerprint(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class FiledComplaint:
    complaint: Complaint
    created: bool


def file_complaint(
    *,
    session: Session,
    now: datetime,
    category: ComplaintCategory,
    description: str,
    contact_method: ContactMethod,
    channel: str,
    customer_id: int | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    account_ref: str | None = None,
    occurred_text: str | None = None,
    conversation_id: str | None = None,
    idempotency_key: str | None = None,
) -> FiledComplaint:
    """File a complaint; with an `idempotency_key`, a retry returns the first complaint.

    Raises:
        CustomerNotFound, ContactPhoneRequired, IdempotencyKeyReused (same key, other body).
    """
    phone = normalise_phone(contact_phone) if contact_phone else None
    if contact_phone and phone is None:
        raise ContactPhoneRequired()
    fields = {
        "category": category,
        "description": description,
        "contact_method": contact_method,
        "channel": channel,
        "customer_id": customer_id,
        "contact_name": contact_name,
        "contact_phone": phone,
        "account_ref": account_ref,
        "occurred_text": occurred_text,
        "conversation_id": conversation_id,
    }
    fingerprint = _fingerprint(fields)
    if idempotency_key:
        existing = _by_idempotency_key(session, idempotency_key, fingerprint)
        if existing is not None:
            return FiledComplaint(existing, created=False)
    if customer_id is not None:
        customer = get_customer(session=session, customer_id=customer_id)
        tier, branch = customer.tier, branch_of_city(customer.city)
    else:
        if phone is None:
            raise ContactPhoneRequired()
        tier, branch = "普通", ANONYMOUS_BRANCH
    hours = sla.sla_hours(category, tier)
    for _attempt in range(5):
        complaint = Complaint(
            **fields,
            number=_next_number(session, now),
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            customer_tier=tier,
            branch=branch,
            status="已受理",
            sla_hours=hours,
            created_at=now,
            updated_at=now,
            due_at=now + timedelta(hours=hours),
        )
        try:
            with session.begin_nested():
                session.add(complaint)
                session.flush()
        except IntegrityError:
            # Either a concurrent retry with the same key won, or the same number was taken.
            if idempotency_key:
                existing = _by_idempotency_key(session, idempotency_key, fingerprint)
                if existing is not None:
                    return FiledComplaint(existing, created=False)
            continue
        session.add(
            ComplaintNote(
                complaint_id=complaint.id,
                author_name=SYSTEM_AUTHOR,
                kind="created",
                public=True,
                body=f"投诉已受理，我们将在{_deadline_text(complaint.due_at)}前给您答复。",
                created_at=now,
            )
        )
        session.flush()
        session.refresh(complaint)
        logger.info(
            "complaint.filed number=%s category=%s tier=%s anonymous=%s",
            complaint.number,
            category,
            tier,
            customer_id is None,
        )
        return FiledComplaint(complaint, created=True)
    raise RuntimeError("could not allocate a complaint number")


def _deadline_text(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def _by_idempotency_key(session: Session, key: str, fingerprint: str) -> Complaint | None:
    existing = session.scalar(select(Complaint).where(Complaint.idempotency_key == key))
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return existing


# ---------------------------------------------------------------- customer side (bot)


def get_customer_complaint(
    *, session: Session, number: str, customer_id: int | None, phone: str | None
) -> Complaint:
    """A complaint by number, only for its owner (customer id, or the anonymous contact
    phone); anyone else gets `ComplaintNotFound`, so numbers cannot be probed."""
    complaint = session.scalar(select(Complaint).where(Complaint.number == number.upper()))
    if complaint is None:
        raise ComplaintNotFound()
    owner = (customer_id is not None and complaint.customer_id == customer_id) or (
        complaint.customer_id is None
        and phone is not None
        and complaint.contact_phone == normalise_phone(phone)
    )
    if not owner:
        raise ComplaintNotFound()
    return complaint


def list_customer_complaints(
    *, session: Session, customer_id: int, open_only: bool
) -> list[Complaint]:
    get_customer(session=session, customer_id=customer_id)
    query = select(Complaint).where(Complaint.customer_id == customer_id)
    if open_only:
        query = query.where(Complaint.status.in_(OPEN_STATUSES))
    return list(session.scalars(query.order_by(Complaint.created_at.desc()).limit(20)))


# ---------------------------------------------------------------- staff side


@dataclass(frozen=True)
class ComplaintFilter:
    status: ComplaintStatus | None = None
    category: ComplaintCategory | None = None
    branch: str | None = None
    assignee_id: int | None = None
    breached: bool | None = None
    start: date | None = None
    end: date | None = None
    query: str | None = None


def breached_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for "SLA breached": resolved late, or unresolved and past the deadline."""
    return or_(
        and_(Complaint.resolved_at.is_not(None), Complaint.resolved_at > Complaint.due_at),
        and_(
            Complaint.resolved_at.is_(None),
            Complaint.status.in_(OPEN_STATUSES),
            Complaint.due_at < now,
        ),
    )


def _visible(viewer: StaffUser) -> list[ColumnElement[bool]]:
    return [] if viewer.sees_all_branches else [Complaint.branch == viewer.branch]


def list_complaints(
    *,
    session: Session,
    viewer: StaffUser,
    filters: ComplaintFilter,
    limit: int,
    offset: int,
    now: datetime,
) -> tuple[list[Complaint], int]:
    conditions = _visible(viewer)
    if filters.status:
        conditions.append(Complaint.status == filters.status)
    if filters.category:
        conditions.append(Complaint.category == filters.category)
    if filters.branch:
        conditions.append(Complaint.branch == filters.branch)
    if filters.assignee_id is not None:
        conditions.append(Complaint.assignee_id == filters.assignee_id)
    if filters.breached is not None:
        clause = breached_clause(now)
        conditions.append(clause if filters.breached else ~clause)
    if filters.start:
        conditions.append(Complaint.created_at >= shanghai_day_start(filters.start))
    if filters.end:
        conditions.append(
            Complaint.created_at < shanghai_day_start(filters.end + timedelta(days=1))
        )
    if filters.query:
        needle = f"%{filters.query.strip()}%"
        conditions.append(or_(Complaint.number.ilike(needle), Complaint.description.ilike(needle)))
    total = session.scalar(select(func.count(Complaint.id)).where(*conditions)) or 0
    items = session.scalars(
        select(Complaint)
        .where(*conditions)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(items), int(total)


def get_complaint_for_staff(
    *, session: Session, viewer: StaffUser, complaint_id: int, for_update: bool = False
) -> Complaint:
    query = select(Complaint).where(Complaint.id == complaint_id, *_visible(viewer))
    if for_update:
        query = query.with_for_update()
    complaint = session.scalar(query)
    if complaint is None:
        raise ComplaintNotFound()
    return complaint


def _note(
    complaint: Complaint,
    actor: StaffUser,
    kind: str,
    body: str,
    now: datetime,
    public: bool = False,
) -> ComplaintNote:
    note = ComplaintNote(
        complaint_id=complaint.id,
        author_id=actor.id,
        author_name=actor.display_name,
        kind=kind,
        body=body,
        public=public,
        created_at=now,
    )
    complaint.notes.append(note)
    complaint.updated_at = now
    return note


def change_status(
    *,
    session: Session,
    viewer: StaffUser,
    complaint_id: int,
    status: ComplaintStatus,
    now: datetime,
    note: str | None = None,
    resolution: str | None = None,
) -> Complaint:
    """Move a complaint along 已受理 → 处理中 → 已解决 → 已关闭 (or reopen to 处理中).

    Resolving creates a 回访 task and a pending satisfaction survey for the resolution.

    Raises:
        ComplaintNotFound, InvalidStatusTransition, ResolutionRequired,
        Forbidden (only a supervisor reopens a closed complaint).
    """
    complaint = get_complaint_for_staff(
        session=session, viewer=viewer, complaint_id=complaint_id, for_update=True
    )
    current = complaint.status
    if status not in TRANSITIONS[current]:
        raise InvalidStatusTransition(current=current, requested=status)
    reopening = current in ("已解决", "已关闭") and status == "处理中"
    if reopening and current == "已关闭" and viewer.role != "supervisor":
        raise Forbidden()
    if status == "已解决" and not (resolution and resolution.strip()):
        raise ResolutionRequired()

    complaint.status = status
    if status == "处理中" and complaint.assignee_id is None:
        complaint.assignee_id = viewer.id
    if reopening:
        complaint.reopen_count += 1
        complaint.resolved_at = None
        complaint.closed_at = None
    if status == "已解决":
        assert resolution is not None
        complaint.resolution = resolution.strip()
        complaint.resolved_at = now
        _after_resolution(session, complaint, now)
    if status == "已关闭":
        complaint.closed_at = now
    label = "重新打开" if reopening else f"{current} → {status}"
    body = label + (f"：{note.strip()}" if note and note.strip() else "")
    _note(complaint, viewer, "status", body, now)
    if status == "已解决":
        _note(complaint, viewer, "note", f"处理结果：{complaint.resolution}", now, public=True)
    elif reopening:
        _note(
            complaint, viewer, "note", "您的投诉已重新打开，我们会继续跟进处理。", now, public=True
        )
    session.flush()
    logger.info(
        "complaint.status number=%s %s->%s staff_id=%s",
        complaint.number,
        current,
        status,
        viewer.id,
    )
    return complaint


def _after_resolution(session: Session, complaint: Complaint, now: datetime) -> None:
    session.add(
        FollowUpTask(
            complaint_id=complaint.id,
            assignee_id=complaint.assignee_id,
            status="待回访",
            due_at=now + FOLLOW_UP_AFTER,
            created_at=now,
        )
    )
    # One survey per resolution round: a reopened and re-resolved complaint is asked again.
    session.add(
        SatisfactionResponse(
            reference=f"complaint:{complaint.number}:{complaint.reopen_count}",
            kind="complaint",
            status="pending",
            complaint_id=complaint.id,
            customer_id=complaint.customer_id,
            channel=complaint.channel,
            human_involved=True,
            created_at=now,
        )
    )


def add_note(
    *,
    session: Session,
    viewer: StaffUser,
    complaint_id: int,
    body: str,
    public: bool,
    now: datetime,
) -> ComplaintNote:
    complaint = get_complaint_for_staff(session=session, viewer=viewer, complaint_id=complaint_id)
    note = _note(complaint, viewer, "note", body.strip(), now, public=public)
    session.flush()
    return note


def assign(
    *, session: Session, viewer: StaffUser, complaint_id: int, assignee_id: int, now: datetime
) -> Complaint:
    """Supervisors assign anyone who can see the complaint; agents only take it themselves."""
    complaint = get_complaint_for_staff(
        session=session, viewer=viewer, complaint_id=complaint_id, for_update=True
    )
    if viewer.role != "supervisor" and assignee_id != viewer.id:
        raise Forbidden()
    assignee = session.get(StaffUser, assignee_id)
    if (
        assignee is None
        or not assignee.active
        or assignee.role not in ("agent", "supervisor")
        or (assignee.role == "agent" and assignee.branch != complaint.branch)
    ):
        raise AssigneeNotAllowed()
    complaint.assignee_id = assignee.id
    _note(complaint, viewer, "assignment", f"分派给 {assignee.display_name}", now)
    session.flush()
    return complaint


def complete_follow_up(
    *,
    session: Session,
    viewer: StaffUser,
    complaint_id: int,
    outcome: str,
    score: int | None,
    comment: str | None,
    now: datetime,
) -> FollowUpTask:
    """Record the 回访 call; the customer's score answers the resolution survey."""
    complaint = get_complaint_for_staff(session=session, viewer=viewer, complaint_id=complaint_id)
    task = session.scalar(
        select(FollowUpTask)
        .where(FollowUpTask.complaint_id == complaint.id, FollowUpTask.status == "待回访")
        .order_by(FollowUpTask.id.desc())
    )
    if task is None:
        raise FollowUpNotFound()
    task.status, task.completed_at, task.outcome = "已完成", now, outcome.strip()
    if score is not None:
        survey = session.scalar(
            select(SatisfactionResponse)
            .where(
                SatisfactionResponse.complaint_id == complaint.id,
                SatisfactionResponse.status == "pending",
            )
            .order_by(SatisfactionResponse.id.desc())
        )
        if survey is not None:
            from crm_api.satisfaction.service import answer_survey

            answer_survey(survey, score=score, comment=comment, now=now)
    _note(complaint, viewer, "note", f"回访：{outcome.strip()}", now)
    session.flush()
    return task


def follow_ups_of(session: Session, complaint_id: int) -> list[FollowUpTask]:
    return list(
        session.scalars(
            select(FollowUpTask)
            .where(FollowUpTask.complaint_id == complaint_id)
            .order_by(FollowUpTask.id)
        )
    )
