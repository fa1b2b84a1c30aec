"""Handoff rows as the API shows them: queue rows with masked names, details with the
activity log, tickets, callbacks, the console's configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bankkit.masking import mask_phone
from crm_api.customers.models import Customer
from crm_api.handoff import service
from crm_api.handoff.availability import ServiceHours, UnavailableReason
from crm_api.handoff.models import CallbackRequest, Handoff, HandoffActivity
from crm_api.handoff.queueing import REASON_LABELS, QueueTicket
from crm_api.handoff.quick_replies import quick_replies_for
from crm_api.handoff.schemas import (
    ActivityPublic,
    CallbackPublic,
    ConsoleConfig,
    Customer360,
    HandoffDetail,
    HandoffSummary,
    HandoffTicket,
    Option,
    Transcript,
)
from crm_api.staff.models import StaffUser
from crm_api.staff.service import display_names


def mask_name(name: str | None) -> str:
    if not name:
        return "访客"
    return name[0] + "*" * (len(name) - 1)


def summary(
    session: Session,
    handoff: Handoff,
    now: datetime,
    *,
    reveal_name: bool,
    position: int | None = None,
) -> HandoffSummary:
    """A queue row (name masked) or a worklist row (name revealed: the agent holds it)."""
    customer = session.get(Customer, handoff.customer_id) if handoff.customer_id else None
    if customer is None:
        label = "访客（未验证身份）"
    else:
        label = customer.name if reveal_name else mask_name(customer.name)
    names = display_names(session=session, staff_ids=[handoff.claimed_by])
    return HandoffSummary(
        id=handoff.id,
        conversation_id=handoff.conversation_id,
        customer_label=label,
        customer_tier=handoff.customer_tier,
        channel=handoff.channel,
        reason=handoff.reason,
        reason_label=REASON_LABELS.get(handoff.reason, handoff.reason),
        priority=handoff.priority,
        status=handoff.status,
        position=position,
        waiting_seconds=int(((handoff.claimed_at or now) - handoff.created_at).total_seconds()),
        last_message=handoff.last_message,
        claimed_by=handoff.claimed_by,
        claimed_by_name=names.get(handoff.claimed_by) if handoff.claimed_by else None,
        created_at=handoff.created_at,
        claimed_at=handoff.claimed_at,
    )


def detail(session: Session, handoff: Handoff, now: datetime) -> HandoffDetail:
    acts = service.activities(session=session, handoff=handoff)
    names = display_names(session=session, staff_ids=[a.staff_id for a in acts])
    return HandoffDetail(
        **dict(summary(session, handoff, now, reveal_name=True)),
        customer_id=handoff.customer_id,
        summary=handoff.summary,
        disposition=handoff.disposition,
        activities=[
            activity(a, staff_name=names.get(a.staff_id) if a.staff_id else None) for a in acts
        ],
    )


def activity(entry: HandoffActivity, *, staff_name: str | None) -> ActivityPublic:
    return ActivityPublic(
        id=entry.id,
        kind=entry.kind,
        body=entry.body,
        staff_name=staff_name,
        created_at=entry.created_at,
    )


def ticket(outcome: QueueTicket | UnavailableReason, hours: ServiceHours) -> HandoffTicket:
    """Queued: place and expected wait. Unavailable: why (the bot offers a callback)."""
    if isinstance(outcome, str):
        return HandoffTicket(
            status="unavailable", unavailable_reason=outcome, service_hours=hours.label()
        )
    return HandoffTicket(
        status="queued",
        handoff_id=outcome.handoff.id,
        position=outcome.position,
        expected_wait_minutes=outcome.expected_wait_minutes,
        service_hours=hours.label(),
    )


def callback(request: CallbackRequest) -> CallbackPublic:
    public = CallbackPublic.model_validate(request)
    if request.phone:
        public.phone_masked = mask_phone(request.phone)
    return public


def console_config(staff: StaffUser, hours: ServiceHours) -> ConsoleConfig:
    return ConsoleConfig(
        quick_replies=quick_replies_for(staff.display_name),
        dispositions=[Option(code=c, label=label) for c, label in service.DISPOSITIONS.items()],
        service_hours=hours.label(),
    )


def transcript(handoff: Handoff, entries: list[dict[str, Any]]) -> Transcript:
    return Transcript(
        handoff_id=handoff.id, conversation_id=handoff.conversation_id, entries=entries
    )


def customer_view(handoff: Handoff, sections: dict[str, Any]) -> Customer360:
    return Customer360(
        handoff_id=handoff.id,
        customer_id=handoff.customer_id,
        verified=handoff.customer_id is not None,
        sections=sections,
    )


def colleague(staff: StaffUser) -> dict[str, Any]:
    """An online colleague to transfer to."""
    return {"id": staff.id, "display_name": staff.display_name, "role": staff.role}
