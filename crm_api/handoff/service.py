"""Queue priority, atomic claims, transfers, closing, presence, callbacks, customer 360.

Service functions are keyword-only and flush; the request owns the transaction.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankkit.masking import mask_digit_runs
from crm_api.accounts.models import Account, AuditLogEntry, Transaction
from crm_api.clock import SHANGHAI
from crm_api.customers.models import Customer
from crm_api.handoff.errors import (
    AlreadyClaimed,
    HandoffClosed,
    HandoffNotFound,
    InvalidDisposition,
    NotYourHandoff,
    TransferTargetInvalid,
)
from crm_api.handoff.models import (
    ACTIVE_STATUSES,
    AgentPresence,
    CallbackRequest,
    Handoff,
    HandoffActivity,
)
from crm_api.staff.models import StaffUser

logger = logging.getLogger(__name__)

# Urgency points by why the bot handed over; fraud always comes first.
REASON_URGENCY = {
    "fraud": 1000,
    "angry": 40,
    "service_error": 20,
    "not_understood": 10,
    "customer_request": 0,
}
REASON_LABELS = {
    "fraud": "疑似诈骗/盗刷",
    "angry": "客户情绪激动",
    "service_error": "系统故障",
    "not_understood": "机器人未理解",
    "customer_request": "客户要求转人工",
}
TIER_POINTS = {"私行": 30, "白金": 20, "金卡": 10, "普通": 0}
SECONDS_PER_POINT = 60  # one priority point = one minute of waiting
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
HANDLER_ROLES = ("agent", "supervisor")
HANDLE_TIME_SAMPLE = 20


@dataclass(frozen=True)
class ServiceHours:
    """Daily service window in Beijing time, e.g. "08:00-22:00" ("00:00-24:00": always)."""

    start: time
    end: time | None  # None: until midnight

    @classmethod
    def parse(cls, text: str) -> ServiceHours:
        start_text, _, end_text = text.replace(" ", "").partition("-")
        start = time.fromisoformat(start_text)
        end = None if end_text == "24:00" else time.fromisoformat(end_text)
        return cls(start, end)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(SHANGHAI).time()
        return self.start <= local and (self.end is None or local < self.end)

    def label(self) -> str:
        end = "24:00" if self.end is None else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


def priority_of(reason: str, tier: str | None) -> int:
    return REASON_URGENCY.get(reason, 0) + TIER_POINTS.get(tier or "", 0)


def rank_key(created_at: datetime, priority: int) -> float:
    """Smaller is served first: priority + minutes waited, as a time-independent key."""
    return created_at.timestamp() - priority * SECONDS_PER_POINT


def mask_name(name: str | None) -> str:
    if not name:
        return "访客"
    return name[0] + "*" * (len(name) - 1)


# ---- presence ------------------------------------------------------------------------


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


# ---- the bot's request ---------------------------------------------------------------


@dataclass(frozen=True)
class QueueTicket:
    handoff: Handoff
    position: int
    expected_wait_minutes: int


def unavailable_reason(
    *, session: Session, now: datetime, hours: ServiceHours, window_seconds: int
) -> str | None:
    """Why no person can take a conversation now: outside_hours / no_agents / None."""
    if not hours.is_open(now):
        return "outside_hours"
    if not online_staff(session=session, now=now, window_seconds=window_seconds):
        return "no_agents"
    return None


def active_handoff(*, session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE_STATUSES)
        )
    )


def queue_position(*, session: Session, handoff: Handoff) -> int:
    """1-based place among waiting conversations (0 once claimed)."""
    if handoff.status != "waiting":
        return 0
    ahead = session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.status == "waiting",
            Handoff.id != handoff.id,
            (Handoff.rank_key < handoff.rank_key)
            | ((Handoff.rank_key == handoff.rank_key) & (Handoff.id < handoff.id)),
        )
    )
    return int(ahead or 0) + 1


def average_handle_minutes(*, session: Session, default: float) -> float:
    rows = session.execute(
        select(Handoff.claimed_at, Handoff.closed_at)
        .where(Handoff.status == "closed", Handoff.claimed_at.is_not(None))
        .order_by(Handoff.closed_at.desc())
        .limit(HANDLE_TIME_SAMPLE)
    ).all()
    durations = [(c - a).total_seconds() / 60 for a, c in rows if a and c]
    return sum(durations) / len(durations) if durations else default


def expected_wait_minutes(
    *,
    session: Session,
    now: datetime,
    position: int,
    default_handle_minutes: float,
    window_seconds: int,
) -> int:
    if position <= 0:
        return 0
    agents = len(online_staff(session=session, now=now, window_seconds=window_seconds))
    average = average_handle_minutes(session=session, default=default_handle_minutes)
    return max(1, math.ceil(position * average / max(1, agents)))


def request_handoff(
    *,
    session: Session,
    now: datetime,
    conversation_id: str,
    customer_id: int | None,
    channel: str,
    reason: str,
    last_message: str | None,
) -> Handoff:
    """Queue a conversation (idempotent: an open handoff of it is returned, made more urgent
    if the new reason is)."""
    existing = active_handoff(session=session, conversation_id=conversation_id)
    customer = session.get(Customer, customer_id) if customer_id is not None else None
    tier = customer.tier if customer else None
    priority = priority_of(reason, tier)
    preview = mask_digit_runs(last_message)[:200] if last_message else None
    if existing is not None:
        if priority > existing.priority:
            existing.priority, existing.reason = priority, reason
            existing.rank_key = rank_key(existing.created_at, priority)
        if customer is not None and existing.customer_id is None:
            existing.customer_id, existing.customer_tier = customer.id, tier
        session.flush()
        return existing
    handoff = Handoff(
        conversation_id=conversation_id,
        customer_id=customer.id if customer else None,
        channel=channel,
        reason=reason,
        customer_tier=tier,
        priority=priority,
        rank_key=rank_key(now, priority),
        status="waiting",
        last_message=preview,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(handoff)
            session.flush()
    except IntegrityError:
        # the same conversation asked twice at once; the other request won
        found = active_handoff(session=session, conversation_id=conversation_id)
        if found is None:
            raise
        return found
    session.add(
        HandoffActivity(
            handoff_id=handoff.id,
            kind="queued",
            body=REASON_LABELS.get(reason, reason),
            created_at=now,
        )
    )
    session.flush()
    logger.info("handoff.queued id=%s reason=%s priority=%s", handoff.id, reason, priority)
    return handoff


def ticket(
    *,
    session: Session,
    now: datetime,
    handoff: Handoff,
    default_handle_minutes: float,
    window_seconds: int,
) -> QueueTicket:
    position = queue_position(session=session, handoff=handoff)
    wait = expected_wait_minutes(
        session=session,
        now=now,
        position=position,
        default_handle_minutes=default_handle_minutes,
        window_seconds=window_seconds,
    )
    return QueueTicket(handoff, position, wait)


# ---- staff side ----------------------------------------------------------------------


def get_handoff(*, session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffNotFound()
    return handoff


def list_waiting(*, session: Session) -> list[Handoff]:
    return list(
        session.scalars(
            select(Handoff)
            .where(Handoff.status == "waiting")
            .order_by(Handoff.rank_key, Handoff.id)
        )
    )


def list_claimed(*, session: Session, staff: StaffUser | None = None) -> list[Handoff]:
    query = select(Handoff).where(Handoff.status == "claimed").order_by(Handoff.claimed_at)
    if staff is not None:
        query = query.where(Handoff.claimed_by == staff.id)
    return list(session.scalars(query))


def claim(*, session: Session, now: datetime, handoff_id: int, staff: StaffUser) -> Handoff:
    """Take a waiting conversation. One conditional UPDATE: of concurrent claims exactly one
    changes the row (SQLite serialises writers; PostgreSQL re-checks the WHERE after the
    winner commits), every other sees zero rows and gets `AlreadyClaimed`."""
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "waiting")
        .values(status="claimed", claimed_by=staff.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise HandoffNotFound()
        session.refresh(handoff)
        if handoff.status in ("closed", "cancelled"):
            raise HandoffClosed()
        raise AlreadyClaimed()
    handoff = get_handoff(session=session, handoff_id=handoff_id)
    session.refresh(handoff)
    session.add(
        HandoffActivity(
            handoff_id=handoff.id,
            staff_id=staff.id,
            kind="claimed",
            body=f"{staff.display_name} 接入",
            created_at=now,
        )
    )
    session.flush()
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
    result = session.execute(
        update(Handoff)
        .where(
            Handoff.id == handoff.id, Handoff.status == "claimed", Handoff.claimed_by == staff.id
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotYourHandoff()
    session.refresh(handoff)
    session.add(
        HandoffActivity(
            handoff_id=handoff.id,
            staff_id=staff.id,
            kind="transferred",
            body=body + (f"：{note}" if note else ""),
            created_at=now,
        )
    )
    session.flush()
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
    result = session.execute(
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
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise HandoffClosed()
    session.refresh(handoff)
    session.add(
        HandoffActivity(
            handoff_id=handoff.id,
            staff_id=staff.id,
            kind="closed",
            body=f"{DISPOSITIONS[disposition]}：{summary}",
            created_at=now,
        )
    )
    session.flush()
    logger.info("handoff.closed id=%s disposition=%s", handoff.id, disposition)
    return handoff


def add_note(
    *, session: Session, now: datetime, handoff: Handoff, staff: StaffUser, body: str
) -> HandoffActivity:
    note = HandoffActivity(
        handoff_id=handoff.id, staff_id=staff.id, kind="note", body=body, created_at=now
    )
    session.add(note)
    session.flush()
    return note


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


# ---- callbacks ------------------------------------------------------------------------


def create_callback(
    *,
    session: Session,
    now: datetime,
    conversation_id: str,
    customer_id: int | None,
    phone: str | None,
    preferred_time: str,
    reason: str,
    channel: str,
) -> CallbackRequest:
    if customer_id is not None and phone is None:
        customer = session.get(Customer, customer_id)
        phone = customer.phone if customer else None
    callback = CallbackRequest(
        conversation_id=conversation_id,
        customer_id=customer_id,
        phone=phone,
        preferred_time=preferred_time[:50],
        reason=reason,
        channel=channel,
        status="open",
        created_at=now,
    )
    session.add(callback)
    session.flush()
    logger.info("handoff.callback_requested id=%s reason=%s", callback.id, reason)
    return callback


def list_callbacks(*, session: Session, status: str = "open") -> list[CallbackRequest]:
    return list(
        session.scalars(
            select(CallbackRequest)
            .where(CallbackRequest.status == status)
            .order_by(CallbackRequest.created_at)
        )
    )


# ---- supervisor -----------------------------------------------------------------------


def stats(
    *, session: Session, now: datetime, window_seconds: int, day_start: datetime
) -> dict[str, Any]:
    waiting = list_waiting(session=session)
    waits = [(now - h.created_at).total_seconds() for h in waiting]
    online = online_staff(session=session, now=now, window_seconds=window_seconds)
    active_by_staff: dict[int | None, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Handoff.claimed_by, func.count())
            .where(Handoff.status == "claimed")
            .group_by(Handoff.claimed_by)
        ).all()
    )
    handled_by_staff: dict[int | None, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(Handoff.closed_by, func.count())
            .where(Handoff.status == "closed", Handoff.closed_at >= day_start)
            .group_by(Handoff.closed_by)
        ).all()
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


# ---- customer 360 ---------------------------------------------------------------------


def audit_access(
    *,
    session: Session,
    now: datetime,
    staff: StaffUser,
    action: str,
    handoff: Handoff,
    customer_id: int | None,
) -> None:
    """Every staff read of customer data leaves a row in the audit log."""
    session.add(
        AuditLogEntry(
            actor=f"staff:{staff.username}"[:50],
            action=action,
            account_id=None,
            reference=f"HO{handoff.id}",
            created_at=now,
            detail={
                "staff_id": staff.id,
                "role": staff.role,
                "customer_id": customer_id,
                "conversation_id": handoff.conversation_id,
            },
        )
    )
    session.flush()


def _masked_card(number: str) -> str:
    return f"尾号{number[-4:]}"


def customer_360(*, session: Session, customer_id: int, today_start: datetime) -> dict[str, Any]:
    """Profile, accounts (masked), recent transactions, complaints, satisfaction, products."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return {}
    accounts = list(
        session.scalars(
            select(Account).where(Account.customer_id == customer_id).order_by(Account.id)
        )
    )
    account_labels = {a.id: f"{a.account_type}{_masked_card(a.number)}" for a in accounts}
    transactions = list(
        session.scalars(
            select(Transaction)
            .where(Transaction.account_id.in_(list(account_labels) or [-1]))
            .order_by(Transaction.occurred_at.desc())
            .limit(10)
        )
    )
    result: dict[str, Any] = {
        "profile": {
            "customer_id": customer.id,
            "name": customer.name,
            "gender": customer.gender,
            "age": today_start.year - customer.birth_date.year,
            "tier": customer.tier,
            "city": customer.city,
            "occupation": customer.occupation,
            "phone": f"{customer.phone[:3]}****{customer.phone[-4:]}",
            "customer_since": customer.created_at.date().isoformat(),
        },
        "accounts": [
            {
                "id": a.id,
                "label": account_labels[a.id],
                "account_type": a.account_type,
                "status": a.status,
                "balance": str(a.balance),
                "credit_limit": str(a.credit_limit) if a.credit_limit is not None else None,
            }
            for a in accounts
        ],
        "transactions": [
            {
                "occurred_at": t.occurred_at,
                "account": account_labels.get(t.account_id, ""),
                "amount": str(t.amount),
                "counterparty": t.counterparty,
                "channel": t.channel,
                "category": t.category,
            }
            for t in transactions
        ],
        "complaints": [],
        "satisfaction": [],
        "holdings": [],
        "recommendations": [],
    }
    result.update(_optional_sections(session=session, customer_id=customer_id))
    return result


def _optional_sections(*, session: Session, customer_id: int) -> dict[str, Any]:
    """Sections owned by other domains; each is skipped if its module is not installed."""
    sections: dict[str, Any] = {}
    try:
        from crm_api.complaints.models import Complaint

        sections["complaints"] = [
            {
                "number": c.number,
                "category": c.category,
                "status": c.status,
                "created_at": c.created_at,
                "description": c.description[:80],
            }
            for c in session.scalars(
                select(Complaint)
                .where(Complaint.customer_id == customer_id, Complaint.closed_at.is_(None))
                .order_by(Complaint.created_at.desc())
                .limit(5)
            )
        ]
    except ImportError:  # pragma: no cover - complaints not installed
        pass
    try:
        from crm_api.satisfaction.models import SatisfactionResponse

        sections["satisfaction"] = [
            {
                "score": s.score,
                "channel": s.channel,
                "comment": s.comment,
                "answered_at": s.answered_at,
            }
            for s in session.scalars(
                select(SatisfactionResponse)
                .where(
                    SatisfactionResponse.customer_id == customer_id,
                    SatisfactionResponse.score.is_not(None),
                )
                .order_by(SatisfactionResponse.created_at.desc())
                .limit(5)
            )
        ]
    except ImportError:  # pragma: no cover
        pass
    try:
        from crm_api.products.models import Holding
        from crm_api.recommendations.models import RecommendationEvent

        sections["holdings"] = [
            {
                "product": h.product.name,
                "product_type": h.product.product_type,
                "amount": str(h.amount),
                "started_on": h.started_on.isoformat(),
            }
            for h in session.scalars(
                select(Holding)
                .where(Holding.customer_id == customer_id, Holding.status == "active")
                .limit(10)
            )
        ]
        seen: set[int] = set()
        recommended = []
        for event in session.scalars(
            select(RecommendationEvent)
            .where(RecommendationEvent.customer_id == customer_id)
            .order_by(RecommendationEvent.created_at.desc())
            .limit(20)
        ):
            if event.product_id in seen:
                continue
            seen.add(event.product_id)
            recommended.append(
                {
                    "product": event.product.name,
                    "product_type": event.product.product_type,
                    "reasons": list(event.reasons or [])[:2],
                    "interest": event.interest,
                }
            )
        sections["recommendations"] = recommended[:5]
    except ImportError:  # pragma: no cover
        pass
    return sections
