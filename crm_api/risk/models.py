"""Investor risk assessments (投资者风险承受能力评估): one row per completed questionnaire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime


class RiskAssessment(Base):
    """A completed questionnaire. The latest unexpired one is the customer's risk level."""

    __tablename__ = "risk_assessments"
    __table_args__ = (
        CheckConstraint("risk_level BETWEEN 1 AND 5", name="risk_level"),
        Index("ix_risk_assessments_customer_id_assessed_at", "customer_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    questionnaire_version: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column()
    risk_level: Mapped[int] = mapped_column(comment="1..5 = C1 保守型 … C5 激进型")
    channel: Mapped[str] = mapped_column(String(20))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
