"""Account, transaction and statement errors."""

from __future__ import annotations

from crm_api.errors import DomainError


class AccountNotFound(DomainError):
    status_code = 404
    code = "account_not_found"
    detail_zh = "账户不存在或不属于该客户"
    detail_en = "Account not found for this customer"


class InvalidDateRange(DomainError):
    """Also raised by the dashboard, whose date ranges follow the same rule."""

    status_code = 422
    code = "invalid_date_range"
    detail_zh = "日期范围无效：结束日期不能早于开始日期，且跨度不超过366天"
    detail_en = "Invalid date range: end before start or longer than 366 days"


class NotACreditCard(DomainError):
    status_code = 409
    code = "not_a_credit_card"
    detail_zh = "该账户不是信用卡，没有账单"
    detail_en = "This account is not a credit card and has no statement"


class StatementNotAvailable(DomainError):
    status_code = 404
    code = "statement_not_found"
    detail_zh = "该信用卡尚未出账单"
    detail_en = "No statement has been issued for this credit card yet"
