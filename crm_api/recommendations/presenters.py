"""Recommendation and suitability answers built from the service's results."""

from __future__ import annotations

from crm_api.products.models import Product
from crm_api.products.schemas import ProductPublic
from crm_api.recommendations.schemas import (
    RISK_DISCLOSURE,
    RecommendationItem,
    RecommendationList,
    SuitabilityResult,
    ViolationPublic,
    risk_label,
)
from crm_api.recommendations.service import RecommendationResult, RecommendedItem
from crm_api.recommendations.suitability import Violation


def recommendation_list(result: RecommendationResult) -> RecommendationList:
    return RecommendationList(
        request_id=result.request_id,
        model_version=result.model_version,
        risk_assessment_valid=result.risk_level is not None,
        risk_level=result.risk_level,
        risk_label=risk_label(result.risk_level),
        items=[_item(item) for item in result.items],
        excluded=result.excluded,
    )


def _item(item: RecommendedItem) -> RecommendationItem:
    """A recommended product; investments carry the mandatory risk disclosure."""
    return RecommendationItem(
        recommendation_id=item.event.id,
        rank=item.event.rank,
        score=item.score,
        product=ProductPublic.from_product(item.product),
        reasons=item.reasons,
        risk_disclosure=RISK_DISCLOSURE if item.product.is_investment else None,
    )


def suitability(product: Product, problems: list[Violation]) -> SuitabilityResult:
    return SuitabilityResult(
        product_code=product.code,
        suitable=not problems,
        violations=[ViolationPublic(code=v.code, detail=v.detail) for v in problems],
    )
