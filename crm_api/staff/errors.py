"""Staff authentication and authorisation errors."""

from __future__ import annotations

from crm_api.errors import DomainError, RetryAfterError


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"
    detail_zh = "请先登录"
    detail_en = "Login required: missing, expired or revoked staff session"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class InvalidCredentials(DomainError):
    status_code = 401
    code = "invalid_credentials"
    detail_zh = "用户名或密码错误"
    detail_en = "Wrong username or password"


class StaffLocked(RetryAfterError):
    status_code = 423
    code = "staff_locked"
    detail_zh = "密码错误次数过多，账号已暂时锁定"
    detail_en = "Too many failed logins; the account is temporarily locked"


class DefaultPasswordRefused(DomainError):
    status_code = 403
    code = "default_password_refused"
    detail_zh = "生产环境禁止使用演示默认密码，请联系管理员重置密码"
    detail_en = "The documented demo password is refused in production; reset it"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    detail_zh = "无权执行此操作"
    detail_en = "Your role does not allow this"


class StaffNotFound(DomainError):
    status_code = 404
    code = "staff_not_found"
    detail_zh = "员工不存在"
    detail_en = "Staff user not found"
