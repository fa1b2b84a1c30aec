"""One-time code errors."""

from __future__ import annotations

from crm_api.errors import DomainError, RetryAfterError


class OtpRateLimited(RetryAfterError):
    status_code = 429
    code = "otp_rate_limited"
    detail_zh = "验证码发送过于频繁，请稍后再试"
    detail_en = "Too many one-time code requests, try again later"


class OtpLocked(RetryAfterError):
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
