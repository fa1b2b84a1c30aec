"""Product catalogue errors."""

from __future__ import annotations

from crm_api.errors import DomainError


class ProductNotFound(DomainError):
    status_code = 404
    code = "product_not_found"
    detail_zh = "没有这个产品"
    detail_en = "Product not found"
