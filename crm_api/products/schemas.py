"""Product and holding schemas. Rates are yearly percentages as strings ("2.15")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema

from crm_api.products.models import (
    Holding,
    HoldingStatus,
    Product,
    ProductType,
    RateKind,
    SaleStatus,
)
from crm_api.schemas import MoneyStr

RATE_LABELS: dict[RateKind, str] = {
    "fixed": "年利率",
    "benchmark": "业绩比较基准（年化）",
    "historical": "近一年收益率",
    "loan": "年化利率",
    "none": "",
}

RatePercent = Annotated[
    Decimal,
    PlainSerializer(lambda v: str(v.quantize(Decimal("0.01"))), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["2.15"]}),
]


def term_label(days: int | None) -> str:
    """90 → '90天', 180 → '180天', 365 → '1年', 1095 → '3年', None → '开放式'."""
    if days is None:
        return "开放式"
    if days >= 365 and days % 365 == 0:
        return f"{days // 365}年"
    return f"{days}天"


class ProductPublic(BaseModel):
    id: int
    code: str = Field(examples=["LC-WJ-180"])
    name: str = Field(examples=["稳健增利180天理财"])
    product_type: ProductType
    subtype: str
    is_investment: bool = Field(description="受适当性管理：需有效风险测评且等级匹配")
    risk_level: int | None = Field(description="1..5 = R1..R5")
    risk_label: str | None = Field(examples=["R2 中低风险"])
    term_days: int | None
    term_label: str = Field(examples=["180天", "3年", "开放式"])
    max_term_months: int | None
    min_amount: MoneyStr
    max_amount: MoneyStr | None
    rate: RatePercent | None = Field(description="年化百分比")
    rate_kind: RateKind
    rate_label: str = Field(examples=["业绩比较基准（年化）"])
    min_age: int
    max_age: int | None
    target_customers: str
    features: str
    sale_status: SaleStatus

    @classmethod
    def from_product(cls, p: Product) -> ProductPublic:
        return cls(
            id=p.id,
            code=p.code,
            name=p.name,
            product_type=p.product_type,
            subtype=p.subtype,
            is_investment=p.is_investment,
            risk_level=p.risk_level,
            risk_label=p.risk_label,
            term_days=p.term_days,
            term_label=term_label(p.term_days),
            max_term_months=p.max_term_months,
            min_amount=p.min_amount,
            max_amount=p.max_amount,
            rate=p.rate,
            rate_kind=p.rate_kind,
            rate_label=RATE_LABELS[p.rate_kind],
            min_age=p.min_age,
            max_age=p.max_age,
            target_customers=p.target_customers,
            features=p.features,
            sale_status=p.sale_status,
        )


class RatePublic(BaseModel):
    """One line of a rate table (挂牌利率 / 业绩比较基准 / 贷款利率)."""

    product_code: str
    name: str
    product_type: ProductType
    subtype: str
    term_days: int | None
    term_label: str
    max_term_months: int | None
    rate: RatePercent
    rate_kind: Literal["fixed", "benchmark", "historical", "loan"]
    rate_label: str
    min_amount: MoneyStr

    @classmethod
    def from_product(cls, p: Product) -> RatePublic:
        """A line for a product with a rate (the rate table leaves the others out)."""
        if p.rate is None or p.rate_kind == "none":
            raise ValueError(f"product {p.code} has no rate")
        return cls(
            product_code=p.code,
            name=p.name,
            product_type=p.product_type,
            subtype=p.subtype,
            term_days=p.term_days,
            term_label=term_label(p.term_days),
            max_term_months=p.max_term_months,
            rate=p.rate,
            rate_kind=p.rate_kind,
            rate_label=RATE_LABELS[p.rate_kind],
            min_amount=p.min_amount,
        )


class HoldingPublic(BaseModel):
    id: int
    product_code: str
    product_name: str
    product_type: ProductType
    amount: MoneyStr
    started_on: date
    status: HoldingStatus

    @classmethod
    def from_holding(cls, h: Holding) -> HoldingPublic:
        return cls(
            id=h.id,
            product_code=h.product.code,
            product_name=h.product.name,
            product_type=h.product.product_type,
            amount=h.amount,
            started_on=h.started_on,
            status=h.status,
        )
