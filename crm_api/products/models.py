"""The product catalogue and what each customer holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_api.database import Base, Money

ProductType = Literal["定期存款", "大额存单", "理财", "基金", "贷款", "信用卡", "保险"]
PRODUCT_TYPES: tuple[ProductType, ...] = get_args(ProductType)
# Products sold under the investor-suitability rules (资管新规 / 适当性管理办法): they carry
# a risk level R1–R5 and may only be sold to customers with a valid, high-enough assessment.
INVESTMENT_TYPES: tuple[ProductType, ...] = ("理财", "基金")
SaleStatus = Literal["on_sale", "closed", "upcoming"]
SALE_STATUSES: tuple[SaleStatus, ...] = get_args(SaleStatus)
# fixed: 存款挂牌利率; benchmark: 理财业绩比较基准; historical: 基金近一年收益率;
# loan: 贷款年化利率 (LPR 加点后); none: no rate (信用卡, 保障型保险)
RateKind = Literal["fixed", "benchmark", "historical", "loan", "none"]
RATE_KINDS: tuple[RateKind, ...] = get_args(RateKind)
HoldingStatus = Literal["active", "matured"]
RISK_LABELS = {1: "R1 低风险", 2: "R2 中低风险", 3: "R3 中风险", 4: "R4 中高风险", 5: "R5 高风险"}


class Product(Base):
    """A product on the bank's shelf. `rate` is a yearly percentage (e.g. 2.15 = 2.15%)."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(
            "product_type IN ('定期存款', '大额存单', '理财', '基金', '贷款', '信用卡', '保险')",
            name="product_type",
        ),
        CheckConstraint("sale_status IN ('on_sale', 'closed', 'upcoming')", name="sale_status"),
        CheckConstraint("risk_level IS NULL OR risk_level BETWEEN 1 AND 5", name="risk_level"),
        CheckConstraint(
            "rate_kind IN ('fixed', 'benchmark', 'historical', 'loan', 'none')", name="rate_kind"
        ),
        Index("ix_products_product_type_sale_status", "product_type", "sale_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, comment="产品代码")
    name: Mapped[str] = mapped_column(String(60))
    product_type: Mapped[ProductType] = mapped_column(String(4))
    subtype: Mapped[str] = mapped_column(String(20), comment="如 房贷/车贷、货币基金、重疾险")
    risk_level: Mapped[int | None] = mapped_column(comment="R1–R5；存款、贷款、信用卡为空")
    term_days: Mapped[int | None] = mapped_column(comment="期限（天）；开放式/无期限为空")
    max_term_months: Mapped[int | None] = mapped_column(comment="贷款最长期限（月）")
    min_amount: Mapped[Decimal] = mapped_column(Money, comment="起购/起贷金额")
    max_amount: Mapped[Decimal | None] = mapped_column(Money, comment="贷款最高额度")
    rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4), comment="年化百分比")
    rate_kind: Mapped[RateKind] = mapped_column(String(12), default="none")
    min_age: Mapped[int] = mapped_column(default=18)
    max_age: Mapped[int | None] = mapped_column()
    target_customers: Mapped[str] = mapped_column(String(200))
    features: Mapped[str] = mapped_column(Text, comment="产品特点，给客户看的简介")
    sale_status: Mapped[SaleStatus] = mapped_column(String(10), default="on_sale")

    @property
    def is_investment(self) -> bool:
        return self.product_type in INVESTMENT_TYPES or (
            self.product_type == "保险" and self.risk_level is not None
        )

    @property
    def risk_label(self) -> str | None:
        return RISK_LABELS.get(self.risk_level) if self.risk_level else None


class Holding(Base):
    """A product a customer holds (deposit, investment, loan, card or policy).

    `amount` is the principal held (for loans: the amount borrowed).
    """

    __tablename__ = "product_holdings"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'matured')", name="status"),
        Index("ix_product_holdings_customer_id_product_id", "customer_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Money)
    started_on: Mapped[date] = mapped_column(Date)
    status: Mapped[HoldingStatus] = mapped_column(String(10), default="active")

    product: Mapped[Product] = relationship(lazy="joined")
