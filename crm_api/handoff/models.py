"""Handoff queue, its activity log, agent presence and callback requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

HANDOFF_STATUSES = ("waiting", "claimed", "closed", "cancelled")
ACTIVE_STATUSES = ("waiting", "claimed")
REASONS = ("customer_request", "not_understood", "angry", "fraud", "service_error")


class Handoff(Base):
    """One conversation handed from the bot to a person (a queue entry, then a live chat).

    `rank_key` orders the queue: the creation time in seconds minus 60 s per priority
    point. Every waiting entry ages at the same rate, so "priority plus one point per
    minute waited" orders exactly like ascending `rank_key`, and SQL can sort on it.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint("status IN ('waiting', 'claimed', 'closed', 'cancelled')", name="status"),
        # at most one open handoff per conversation (the bot's request is idempotent)
        Index(
            "uq_handoffs_active_conversation",
            "conversation_id",
            unique=True,
            sqlite_where="status IN ('waiting', 'claimed')",
            postgresql_where="status IN ('waiting', 'claimed')",
        ),
        Index("ix_handoffs_status_rank", "status", "rank_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(100), comment="Rasa sender id")
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20), comment="web / app")
    reason: Mapped[str] = mapped_column(String(20))
    customer_tier: Mapped[str | None] = mapped_column(String(4))
    priority: Mapped[int] = mapped_column(Integer, comment="urgency + tier points")
    rank_key: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    last_message: Mapped[str | None] = mapped_column(String(200), comment="masked preview")
    claimed_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    summary: Mapped[str | None] = mapped_column(Text)
    disposition: Mapped[str | None] = mapped_column(String(30))


class HandoffActivity(Base):
    """Internal notes and claim/transfer/close events of a handoff (never shown to customers)."""

    __tablename__ = "handoff_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), comment="note/claimed/transferred/…")
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class AgentPresence(Base):
    """Last heartbeat of a staff member's console; online = a recent heartbeat."""

    __tablename__ = "agent_presence"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10), default="online", comment="online/away/offline")
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    online_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CallbackRequest(Base):
    """A customer's request to be called back (outside service hours or nobody online)."""

    __tablename__ = "callback_requests"
    __table_args__ = (CheckConstraint("status IN ('open', 'done', 'cancelled')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    phone: Mapped[str | None] = mapped_column(String(11), comment="number to call back")
    preferred_time: Mapped[str] = mapped_column(String(50), comment="客户说的方便时间")
    reason: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    handled_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
