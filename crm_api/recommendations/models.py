"""The recommendation log (what was shown to whom, and the reaction) and sales leads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.clock import utc_now
from crm_api.database import Base, Money, UTCDateTime

if TYPE_CHECKING:
    from crm_api.products.models import Product

Interest = Literal["interested", "not_interested", "viewed_details"]
INTEREST_VALUES: tuple[Interest, ...] = get_args(Interest)
LeadStatus = Literal["new", "contacted", "converted", "closed"]
LEAD_STATUSES: tuple[LeadStatus, ...] = get_args(LeadStatus)


class RecommendationEvent(Base):
    """One product shown to one customer in one recommendation request.

    `request_id` groups the products of one answer; `interest` is filled in later when
    the customer reacts (details asked, interest registered, declined).
    """

    __tablename__ = "recommendation_events"
    __table_args__ = (
        CheckConstraint(
            "interest IS NULL OR interest IN ('interested', 'not_interested', 'viewed_details')",
            name="interest",
        ),
        Index("ix_recommendation_events_customer_id_created_at", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column()
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, comment="请求参数：类型、金额、期限")
    model_version: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    interest: Mapped[Interest | None] = mapped_column(String(20))
    interest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship(lazy="joined")


class SalesLead(Base):
    """A customer's interest in a product, for a relationship manager (客户经理) to follow up.

    At most one open lead per customer and product: registering interest again returns it.
    """

    __tablename__ = "sales_leads"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'contacted', 'converted', 'closed')", name="status"),
        Index("ix_sales_leads_customer_id_product_id", "customer_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendation_events.id", ondelete="SET NULL")
    )
    amount: Mapped[Decimal | None] = mapped_column(Money, comment="客户提到的金额")
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[LeadStatus] = mapped_column(String(12), default="new")
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Embeds the row id, so it is set right after the insert is flushed.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)

    product: Mapped[Product] = relationship(lazy="joined")
