"""The queue of conversations waiting for a person: priority, the bot's (idempotent)
request, place in the queue and the expected wait."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankkit.masking import mask_digit_runs
from crm_api.customers.models import Customer
from crm_api.handoff.models import ACTIVE_STATUSES, Handoff, HandoffActivity
from crm_api.handoff.presence import online_staff

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
HANDLE_TIME_SAMPLE = 20


@dataclass(frozen=True)
class QueueTicket:
    handoff: Handoff
    position: int
    expected_wait_minutes: int


def priority_of(reason: str, tier: str | None) -> int:
    return REASON_URGENCY.get(reason, 0) + TIER_POINTS.get(tier or "", 0)


def rank_key(created_at: datetime, priority: int) -> float:
    """Smaller is served first: priority + minutes waited, as a time-independent key."""
    return created_at.timestamp() - priority * SECONDS_PER_POINT


def active_handoff(*, session: Session, conversation_id: str) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE_STATUSES)
        )
    )


def list_waiting(*, session: Session) -> list[Handoff]:
    return list(
        session.scalars(
            select(Handoff)
            .where(Handoff.status == "waiting")
            .order_by(Handoff.rank_key, Handoff.id)
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
