"""Callback requests: the customer asks to be called back when nobody can take the chat."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.customers.models import Customer
from crm_api.handoff.models import CallbackRequest

logger = logging.getLogger(__name__)


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
