"""One-time codes: issue (rate-limited), verify (single use), lock after repeated failures.

Only an HMAC-SHA256 of `phone:code` is stored, keyed by a key derived from
CRM_SERVICE_TOKEN, so a database dump does not reveal live codes (and a 6-digit code
cannot be brute-forced from the hash without the key).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bankkit.masking import mask_phone
from crm_api.config import Settings
from crm_api.customers.errors import CustomerNotFound
from crm_api.customers.models import Customer
from crm_api.customers.service import find_customer_by_phone, parse_phone
from crm_api.database import rows_updated
from crm_api.otp.errors import OtpExpired, OtpInvalid, OtpLocked, OtpRateLimited
from crm_api.otp.models import OtpCode, OtpLock
from crm_api.otp.sms import send_sms

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
SMS_TEMPLATE = (
    "【智能银行】您的验证码为{code}，{minutes}分钟内有效，请勿泄露给他人。如非本人操作请忽略。"
)


def _hash_key(settings: Settings) -> bytes:
    secret = settings.crm_service_token.get_secret_value().encode()
    return hmac.new(secret, b"crm_api/otp-code-hash/v1", hashlib.sha256).digest()


def hash_code(*, settings: Settings, phone: str, code: str) -> str:
    return hmac.new(_hash_key(settings), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _seconds_until(later: datetime, now: datetime) -> int:
    return max(1, math.ceil((later - now).total_seconds()))


def _check_not_locked(*, session: Session, phone: str, now: datetime) -> OtpLock | None:
    lock = session.get(OtpLock, phone)
    if lock is not None and lock.locked_until is not None and lock.locked_until > now:
        raise OtpLocked(retry_after=_seconds_until(lock.locked_until, now))
    return lock


@dataclass(frozen=True)
class IssuedCode:
    customer: Customer
    expires_in: int


def request_code(*, session: Session, settings: Settings, phone: str, now: datetime) -> IssuedCode:
    """Issue a new code for a customer's phone and send it by SMS.

    Raises:
        InvalidPhone, CustomerNotFound, OtpLocked,
        OtpRateLimited: within the resend gap, or over OTP_REQUESTS_PER_HOUR.
    """
    phone = parse_phone(phone)
    customer = find_customer_by_phone(session=session, phone=phone)
    if customer is None:
        raise CustomerNotFound()
    _check_not_locked(session=session, phone=phone, now=now)

    window_start = now - timedelta(hours=1)
    recent = list(
        session.scalars(
            select(OtpCode.created_at)
            .where(OtpCode.phone == phone, OtpCode.created_at > window_start)
            .order_by(OtpCode.created_at)
        )
    )
    if recent:
        gap_ends = recent[-1] + timedelta(seconds=settings.otp_resend_gap_seconds)
        if gap_ends > now:
            raise OtpRateLimited(retry_after=_seconds_until(gap_ends, now))
    if len(recent) >= settings.otp_requests_per_hour:
        # The oldest request in the window has to age out before another is allowed.
        oldest_out = recent[-settings.otp_requests_per_hour] + timedelta(hours=1)
        raise OtpRateLimited(retry_after=_seconds_until(oldest_out, now))

    # Only the newest code is valid: a resend supersedes earlier ones.
    session.execute(
        update(OtpCode)
        .where(OtpCode.phone == phone, OtpCode.consumed_at.is_(None), OtpCode.expires_at > now)
        .values(expires_at=now)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    session.add(
        OtpCode(
            phone=phone,
            code_hash=hash_code(settings=settings, phone=phone, code=code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.otp_ttl_seconds),
            attempts=0,
        )
    )
    send_sms(
        session=session,
        settings=settings,
        phone=phone,
        text=SMS_TEMPLATE.format(code=code, minutes=max(1, settings.otp_ttl_seconds // 60)),
        now=now,
    )
    session.flush()
    logger.info("otp.issued phone=%s", mask_phone(phone))
    return IssuedCode(customer=customer, expires_in=settings.otp_ttl_seconds)


def verify_code(
    *, session: Session, settings: Settings, phone: str, code: str, now: datetime
) -> Customer:
    """Check a code; a correct one is consumed (single use) and the failure count reset.

    Wrong codes are counted per phone (not per code, so asking for a new code does not
    reset the count); the OTP_MAX_ATTEMPTS-th wrong code locks the phone for
    OTP_LOCK_SECONDS. The caller must commit even when this raises `OtpInvalid` or
    `OtpLocked`, so that the failure is remembered.

    Raises:
        InvalidPhone, OtpLocked, OtpExpired (expired, used or never requested),
        OtpInvalid (with remaining_attempts), CustomerNotFound.
    """
    phone = parse_phone(phone)
    lock = _check_not_locked(session=session, phone=phone, now=now)

    otp = session.scalar(
        select(OtpCode)
        .where(OtpCode.phone == phone, OtpCode.consumed_at.is_(None), OtpCode.expires_at > now)
        .order_by(OtpCode.created_at.desc(), OtpCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    if otp is None:
        raise OtpExpired()

    expected = hash_code(settings=settings, phone=phone, code=code.strip())
    if hmac.compare_digest(expected, otp.code_hash):
        # Conditional update: of two concurrent correct verifications only one wins.
        consumed = rows_updated(
            session,
            update(OtpCode)
            .where(OtpCode.id == otp.id, OtpCode.consumed_at.is_(None))
            .values(consumed_at=now)
            .execution_options(synchronize_session=False),
        )
        if consumed != 1:
            raise OtpExpired()
        if lock is not None:
            lock.failed_attempts = 0
            lock.locked_until = None
        session.flush()
        customer = find_customer_by_phone(session=session, phone=phone)
        if customer is None:
            raise CustomerNotFound()
        logger.info("otp.verified phone=%s customer_id=%s", mask_phone(phone), customer.id)
        return customer

    otp.attempts += 1
    if lock is None:
        lock = OtpLock(phone=phone, failed_attempts=0)
        session.add(lock)
    # Failures older than a lock period no longer count towards a lock.
    stale = lock.last_failed_at is not None and (
        now - lock.last_failed_at > timedelta(seconds=settings.otp_lock_seconds)
    )
    lock.failed_attempts = (0 if stale else lock.failed_attempts or 0) + 1
    lock.last_failed_at = now
    if lock.failed_attempts >= settings.otp_max_attempts:
        lock.failed_attempts = 0
        lock.locked_until = now + timedelta(seconds=settings.otp_lock_seconds)
        otp.expires_at = now  # the code cannot be used after the lock either
        session.flush()
        logger.warning("otp.locked phone=%s", mask_phone(phone))
        raise OtpLocked(retry_after=settings.otp_lock_seconds)
    session.flush()
    logger.info("otp.wrong_code phone=%s failures=%s", mask_phone(phone), lock.failed_attempts)
    raise OtpInvalid(remaining_attempts=settings.otp_max_attempts - lock.failed_attempts)
