"""Demo-only simulated SMS gateway.

The outbox necessarily holds the message text, one-time codes included: it stands in
for the customer's phone. Rows are written only when demo mode is on; never enable
demo mode where real customers are served (production forces it off).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, UTCDateTime


class SmsOutboxMessage(Base):
    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    text: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
