"""Sending SMS. Demo mode: a simulated gateway whose outbox the demo routes show.

The outbox necessarily holds the message text, one-time codes included: it stands in
for the customer's phone. Rows are written only when demo mode is on; never enable
demo mode where real customers are served (production forces it off).

Outside demo mode there is no gateway yet: this is the seam where a real SMS provider
plugs in; until then the message is dropped and only a masked log line is written.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankkit.masking import mask_phone
from crm_api.config import Settings
from crm_api.otp.models import SmsOutboxMessage

logger = logging.getLogger(__name__)


def send_sms(*, session: Session, settings: Settings, phone: str, text: str, now: datetime) -> None:
    """Deliver an SMS: into the outbox in demo mode, else nowhere yet (see above)."""
    if settings.demo_enabled:
        record_sms(session=session, phone=phone, text=text, now=now)
    else:
        logger.warning("sms.no_gateway phone=%s", mask_phone(phone))


def record_sms(*, session: Session, phone: str, text: str, now: datetime) -> SmsOutboxMessage:
    """Put a message in the simulated gateway's outbox."""
    message = SmsOutboxMessage(phone=phone, text=text, sent_at=now)
    session.add(message)
    session.flush()
    return message


def list_outbox(*, session: Session, phone: str | None, limit: int) -> list[SmsOutboxMessage]:
    """The simulated gateway's messages, newest first."""
    query = select(SmsOutboxMessage).order_by(
        SmsOutboxMessage.sent_at.desc(), SmsOutboxMessage.id.desc()
    )
    if phone is not None:
        query = query.where(SmsOutboxMessage.phone == phone)
    return list(session.scalars(query.limit(limit)))
