"""Satisfaction responses and the intents of the rated conversation.

Dashboard queries aggregate millions of rows, so the columns they group by are kept
where the aggregate can read them from an index alone: `survey_day` (the Beijing day of
the answer), `channel` and `score`; the same three are copied onto each intent row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

SURVEY_KINDS = ("conversation", "complaint")
SURVEY_STATUSES = ("pending", "answered")


class SatisfactionResponse(Base):
    """One survey: asked at the end of a conversation or after a complaint is resolved.

    `pending` rows are surveys sent but not yet answered (complaint resolutions).
    """

    __tablename__ = "satisfaction_responses"
    __table_args__ = (
        CheckConstraint("kind IN ('conversation', 'complaint')", name="kind"),
        CheckConstraint("status IN ('pending', 'answered')", name="status"),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score"),
        CheckConstraint("nps_score IS NULL OR nps_score BETWEEN 0 AND 10", name="nps_score"),
        Index("ix_satisfaction_day_channel_score", "survey_day", "channel", "score"),
        Index("ix_satisfaction_answered_at", "answered_at"),
        Index("ix_satisfaction_day_channel_nps", "survey_day", "channel", "nps_score"),
        # the dashboard's "latest low-score comments": a small index, newest first
        Index(
            "ix_satisfaction_low_comments",
            "answered_at",
            sqlite_where=text("score <= 2 AND comment IS NOT NULL"),
            postgresql_where=text("score <= 2 AND comment IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(
        String(120), unique=True, comment="client reference; a retry returns the same row"
    )
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="answered")
    conversation_id: Mapped[str | None] = mapped_column(String(100))
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="SET NULL"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    human_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[int | None] = mapped_column(SmallInteger, comment="CSAT 1–5")
    nps_score: Mapped[int | None] = mapped_column(SmallInteger, comment="推荐意愿 0–10")
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_day: Mapped[date | None] = mapped_column(Date, comment="answer day, Beijing time")

    intents: Mapped[list[SatisfactionIntent]] = relationship(passive_deletes=True, lazy="selectin")


class SatisfactionIntent(Base):
    """An intent handled in the rated conversation (a conversation can have several)."""

    __tablename__ = "satisfaction_intents"
    __table_args__ = (
        Index("ix_satisfaction_intents_day_intent", "survey_day", "intent", "channel", "score"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("satisfaction_responses.id", ondelete="CASCADE"), primary_key=True
    )
    intent: Mapped[str] = mapped_column(String(50), primary_key=True)
    survey_day: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    score: Mapped[int | None] = mapped_column(SmallInteger)
