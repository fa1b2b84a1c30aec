"""Complaints, their notes history and follow-up (回访) tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bankkit.complaints import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    OPEN_STATUSES,
    ComplaintCategory,
    ComplaintStatus,
)
from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

ContactMethod = Literal["电话", "短信", "手机银行消息"]
CONTACT_METHODS: tuple[ContactMethod, ...] = get_args(ContactMethod)
ANONYMOUS_BRANCH = "远程银行中心"  # handles complaints of visitors who are not customers
FOLLOW_UP_STATUSES = ("待回访", "已完成")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Complaint(Base):
    """A customer complaint. `due_at` is fixed at filing from the SLA table (sla.py)."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(f"category IN ({_in(COMPLAINT_CATEGORIES)})", name="category"),
        CheckConstraint(f"status IN ({_in(COMPLAINT_STATUSES)})", name="status"),
        CheckConstraint(f"contact_method IN ({_in(CONTACT_METHODS)})", name="contact_method"),
        CheckConstraint(
            "customer_id IS NOT NULL OR contact_phone IS NOT NULL", name="contact_known"
        ),
        Index("ix_complaints_created_at", "created_at"),
        Index("ix_complaints_branch_status", "branch", "status"),
        Index("ix_complaints_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True, comment="TS+日期+4位序号")
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(11))
    contact_method: Mapped[ContactMethod] = mapped_column(String(10))
    category: Mapped[ComplaintCategory] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    account_ref: Mapped[str | None] = mapped_column(String(100), comment="涉及的账户或交易")
    occurred_text: Mapped[str | None] = mapped_column(String(50), comment="客户所说的发生时间")
    channel: Mapped[str] = mapped_column(String(20))
    conversation_id: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    customer_tier: Mapped[str] = mapped_column(String(4), comment="立案时的客户等级")
    branch: Mapped[str] = mapped_column(String(30))
    status: Mapped[ComplaintStatus] = mapped_column(String(10), default="已受理")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    sla_hours: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    resolution: Mapped[str | None] = mapped_column(Text)

    notes: Mapped[list[ComplaintNote]] = relationship(
        order_by="ComplaintNote.id", passive_deletes=True, lazy="selectin"
    )

    def latest_public_note(self) -> ComplaintNote | None:
        """The last note the customer may be told (the bot reads it out)."""
        public = [n for n in self.notes if n.public]
        return public[-1] if public else None

    def is_breached(self, now: datetime) -> bool:
        """Resolved after the deadline, or still unresolved past it."""
        if self.resolved_at is not None:
            return self.resolved_at > self.due_at
        return self.status in OPEN_STATUSES and now > self.due_at


class ComplaintNote(Base):
    """The handling history: notes, status changes, assignments. `public` notes are the
    ones the customer may be told (the bot reads the latest one out)."""

    __tablename__ = "complaint_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), comment="note | status | assignment | created")
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class FollowUpTask(Base):
    """A 回访 call to the customer after a complaint is resolved."""

    __tablename__ = "complaint_follow_ups"
    __table_args__ = (CheckConstraint(f"status IN ({_in(FOLLOW_UP_STATUSES)})", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(10), default="待回访")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
