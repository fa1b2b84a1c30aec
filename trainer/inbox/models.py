"""The NLU inbox: real customer messages waiting for a trainer's verdict."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

INBOX_STATUSES = ("new", "accepted", "discarded")
#: why a message is in front of a trainer; the first ones sort first
InboxReason = Literal["fallback", "handoff", "low_confidence", "other"]
REASONS: tuple[InboxReason, ...] = get_args(InboxReason)


class InboxItem(Base):
    """One distinct customer message (masked), however often customers sent it.

    `text_key` is a digest of the normalised masked text: the same message from many
    customers is one row whose `occurrences` counts them; the latest prediction is kept.
    """

    __tablename__ = "nlu_inbox_items"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'accepted', 'discarded')", name="status"),
        Index("ix_nlu_inbox_status_priority", "status", "priority", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text_key: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text, comment="customer text, PII masked")
    predicted_intent: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    intent_ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[InboxReason] = mapped_column(
        String(20), comment="fallback/handoff/low_confidence/other"
    )
    priority: Mapped[int] = mapped_column(Integer, comment="higher is reviewed first")
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    conversation_id: Mapped[str | None] = mapped_column(String(255), comment="latest sender")
    channel: Mapped[str | None] = mapped_column(String(40))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    status: Mapped[str] = mapped_column(String(10), default="new")
    final_intent: Mapped[str | None] = mapped_column(String(100))
    final_entities: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    written_to: Mapped[str | None] = mapped_column(String(200), comment="data file written")
    reviewed_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboxCursor(Base):
    """How far the inbox has read Rasa's `events` table (by event id)."""

    __tablename__ = "nlu_inbox_cursor"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
