"""Complaints as the staff console shows them: pages of summaries with the handler's
name, and the detail with the customer's name, the history, the follow-ups and the
status changes allowed next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.complaints import service
from crm_api.complaints.models import Complaint
from crm_api.complaints.schemas import (
    ComplaintDetail,
    ComplaintPage,
    ComplaintSummary,
    FollowUpPublic,
    NotePublic,
)
from crm_api.customers.models import Customer
from crm_api.staff.service import display_names


def page(
    session: Session, complaints: Sequence[Complaint], total: int, now: datetime
) -> ComplaintPage:
    names = display_names(session=session, staff_ids=[c.assignee_id for c in complaints])
    return ComplaintPage(
        items=[ComplaintSummary.of(c, now, names.get(c.assignee_id or 0)) for c in complaints],
        total=total,
    )


def detail(session: Session, complaint: Complaint, now: datetime) -> ComplaintDetail:
    names = display_names(session=session, staff_ids=[complaint.assignee_id])
    summary = ComplaintSummary.of(complaint, now, names.get(complaint.assignee_id or 0))
    customer_name = None
    if complaint.customer_id is not None:
        customer_name = session.scalar(
            select(Customer.name).where(Customer.id == complaint.customer_id)
        )
    return ComplaintDetail(
        **summary.model_dump(),
        description=complaint.description,
        contact_name=complaint.contact_name,
        contact_phone=complaint.contact_phone,
        contact_method=complaint.contact_method,
        customer_name=customer_name,
        account_ref=complaint.account_ref,
        occurred_text=complaint.occurred_text,
        conversation_id=complaint.conversation_id,
        resolution=complaint.resolution,
        closed_at=complaint.closed_at,
        notes=[NotePublic.of(n) for n in complaint.notes],
        follow_ups=[FollowUpPublic.of(t) for t in service.follow_ups_of(session, complaint.id)],
        allowed_transitions=sorted(service.TRANSITIONS[complaint.status]),
    )
