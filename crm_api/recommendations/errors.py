"""Recommendation and sales-lead errors."""

from __future__ import annotations

from crm_api.errors import DomainError


class RecommendationNotFound(DomainError):
    status_code = 404
    code = "recommendation_not_found"
    detail_zh = "没有这条推荐记录"
    detail_en = "Recommendation not found for this customer"


class ProductNotSuitable(DomainError):
    status_code = 409
    code = "product_not_suitable"
    detail_zh = "该产品不适合此客户（适当性规则不允许）"
    detail_en = "The product is not suitable for this customer under the suitability rules"
