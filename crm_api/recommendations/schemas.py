"""Recommendation, suitability and lead schemas."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from crm_api.products.models import ProductType
from crm_api.products.schemas import ProductPublic
from crm_api.recommendations.models import Interest, LeadStatus, RecommendationEvent, SalesLead
from crm_api.recommendations.suitability import ViolationCode
from crm_api.risk.questionnaire import RISK_LEVEL_LABELS
from crm_api.schemas import Channel, LocalDateTime, MoneyStr

RISK_DISCLOSURE = "理财非存款、产品有风险、投资须谨慎"


class RecommendationCreate(BaseModel):
    product_type: ProductType | None = None
    amount: Decimal | None = Field(
        default=None, gt=0, max_digits=14, decimal_places=2, description="计划投入/申请的金额（元）"
    )
    horizon_months: int | None = Field(default=None, ge=0, le=600, description="投资期限（月）")
    limit: int = Field(default=3, ge=1, le=10)
    channel: Channel = "web"


class RecommendationItem(BaseModel):
    recommendation_id: int
    rank: int
    score: float
    product: ProductPublic
    reasons: list[str] = Field(
        examples=[["您活期账户近三个月平均余额较高（约5.2万元），闲置资金放在这里收益更好"]]
    )
    risk_disclosure: str | None = Field(
        description="投资类产品必须展示的风险提示；非投资类为空", examples=[RISK_DISCLOSURE]
    )


class RecommendationList(BaseModel):
    request_id: str
    model_version: str
    risk_assessment_valid: bool
    risk_level: int | None
    risk_label: str | None = Field(examples=["稳健型"])
    items: list[RecommendationItem]
    excluded: dict[str, int] = Field(description="为什么有些产品没有推荐：适当性规则代码 → 产品数")


class InterestUpdate(BaseModel):
    interest: Interest


class InterestPublic(BaseModel):
    recommendation_id: int
    interest: str | None
    interest_at: LocalDateTime | None

    @classmethod
    def of(cls, event: RecommendationEvent) -> InterestPublic:
        return cls(
            recommendation_id=event.id, interest=event.interest, interest_at=event.interest_at
        )


class SuitabilityCheck(BaseModel):
    product_code: str
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)


class ViolationPublic(BaseModel):
    code: ViolationCode
    detail: str


class SuitabilityResult(BaseModel):
    product_code: str
    suitable: bool
    violations: list[ViolationPublic]


class LeadCreate(BaseModel):
    product_code: str
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2)
    recommendation_id: int | None = None
    channel: Channel = "web"
    note: str | None = Field(default=None, max_length=200)


class LeadPublic(BaseModel):
    id: int
    reference: str = Field(examples=["XS20261129000012"])
    customer_id: int
    product: ProductPublic
    amount: MoneyStr | None
    status: LeadStatus
    channel: str
    created_at: LocalDateTime
    already_exists: bool = Field(description="true: an open lead existed and is returned")

    @classmethod
    def from_lead(cls, lead: SalesLead, *, already_exists: bool) -> LeadPublic:
        return cls(
            id=lead.id,
            reference=lead.reference or "",
            customer_id=lead.customer_id,
            product=ProductPublic.from_product(lead.product),
            amount=lead.amount,
            status=lead.status,
            channel=lead.channel,
            created_at=lead.created_at,
            already_exists=already_exists,
        )


def risk_label(level: int | None) -> str | None:
    return RISK_LEVEL_LABELS.get(level) if level else None
