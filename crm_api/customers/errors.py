"""Customer look-up errors."""

from __future__ import annotations

from crm_api.errors import DomainError


class CustomerNotFound(DomainError):
    status_code = 404
    code = "customer_not_found"
    detail_zh = "客户不存在"
    detail_en = "Customer not found"


class InvalidPhone(DomainError):
    status_code = 422
    code = "invalid_phone"
    detail_zh = "手机号格式不正确，应为11位中国大陆手机号"
    detail_en = "Invalid phone number: expected an 11-digit mainland mobile number"
