"""Domain errors and the handlers that turn every error into `{"code", "detail"}`."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error response. Some errors add fields (`retry_after`, `remaining_attempts`)."""

    code: str = Field(examples=["customer_not_found"])
    detail: str = Field(examples=["客户不存在 / Customer not found"])


class DomainError(Exception):
    """Base of all expected errors; subclasses fix status, code and bilingual detail."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    detail_zh: ClassVar[str] = "请求有误"
    detail_en: ClassVar[str] = "Bad request"

    def __init__(self, **extra: Any) -> None:
        super().__init__(self.code)
        self.extra = extra

    @property
    def detail(self) -> str:
        return f"{self.detail_zh} / {self.detail_en}"

    def headers(self) -> dict[str, str] | None:
        return None


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"
    detail_zh = "未授权：缺少或无效的服务令牌"
    detail_en = "Unauthorized: missing or invalid service token"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


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


class AccountNotFound(DomainError):
    status_code = 404
    code = "account_not_found"
    detail_zh = "账户不存在或不属于该客户"
    detail_en = "Account not found for this customer"


class InvalidDateRange(DomainError):
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


class _RetryAfterError(DomainError):
    def __init__(self, *, retry_after: int) -> None:
        super().__init__(retry_after=max(1, int(retry_after)))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.extra["retry_after"])}


class OtpRateLimited(_RetryAfterError):
    status_code = 429
    code = "otp_rate_limited"
    detail_zh = "验证码发送过于频繁，请稍后再试"
    detail_en = "Too many one-time code requests, try again later"


class OtpLocked(_RetryAfterError):
    status_code = 423
    code = "otp_locked"
    detail_zh = "验证码错误次数过多，该手机号已被暂时锁定"
    detail_en = "Too many wrong codes; this phone number is temporarily locked"


class OtpInvalid(DomainError):
    status_code = 400
    code = "otp_invalid"
    detail_zh = "验证码错误"
    detail_en = "Wrong one-time code"

    def __init__(self, *, remaining_attempts: int) -> None:
        super().__init__(remaining_attempts=remaining_attempts)


class OtpExpired(DomainError):
    status_code = 410
    code = "otp_expired"
    detail_zh = "验证码已过期或未获取，请重新获取"
    detail_en = "One-time code expired or never requested; request a new one"


def error_response(
    status_code: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        status_code=status_code, content={"code": code, "detail": detail, **extra}, headers=headers
    )


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return error_response(exc.status_code, exc.code, exc.detail, exc.headers(), **exc.extra)


async def _validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only location and message: echoing `input` could put phone numbers or codes in logs.
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
    return error_response(
        422, "validation_error", "请求参数不正确 / Request validation failed", errors=errors
    )


_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    404: ("not_found", "请求的资源不存在 / Not found"),
    405: ("method_not_allowed", "不支持该请求方法 / Method not allowed"),
}


async def _http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, detail = _HTTP_ERRORS.get(exc.status_code, ("http_error", f"请求失败 / {exc.detail}"))
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}) or None)


async def _unexpected_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled_error type=%s", type(exc).__name__)
    return error_response(500, "internal_error", "系统繁忙，请稍后再试 / Internal server error")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(Exception, _unexpected_error_handler)


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "未授权 / missing or wrong service token"},
    422: {"model": ErrorBody, "description": "参数错误 / validation error"},
}
