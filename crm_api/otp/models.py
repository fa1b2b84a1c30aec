"""One-time codes sent by SMS to verify a caller's phone number, and the demo SMS outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.database import Base, UTCDateTime


class OtpCode(Base):
    """One issued code. Only an HMAC-SHA256 of it is stored, never the code itself."""

    __tablename__ = "otp_codes"
    __table_args__ = (Index("ix_otp_codes_phone_created_at", "phone", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    code_hash: Mapped[str] = mapped_column(String(64), comment="hex HMAC-SHA256(phone:code)")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, comment="wrong tries against this code")
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OtpLock(Base):
    """Wrong-code counter per phone, so requesting a new code does not reset it."""

    __tablename__ = "otp_locks"

    phone: Mapped[str] = mapped_column(String(11), primary_key=True)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsOutboxMessage(Base):
    """A message 'sent' by the simulated SMS gateway (demo mode only, see otp/sms.py).

    It necessarily holds the message text, one-time codes included: it stands in for the
    customer's phone.
    """

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), index=True)
    text: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
