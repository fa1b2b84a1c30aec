"""验证码 / one-time codes for verifying a caller by phone."""

from __future__ import annotations

from fastapi import APIRouter, status

from crm_api.deps import ClockDep, SessionDep, SettingsDep
from crm_api.errors import ErrorBody
from crm_api.otp import service
from crm_api.otp.errors import OtpInvalid, OtpLocked
from crm_api.otp.schemas import OtpRequestCreate, OtpRequestPublic, OtpVerifyCreate, OtpVerifyPublic

router = APIRouter(prefix="/otp", tags=["验证码 one-time codes"])


@router.post(
    "/request",
    status_code=status.HTTP_202_ACCEPTED,
    summary="发送短信验证码",
    responses={
        404: {"model": ErrorBody, "description": "customer_not_found"},
        423: {"model": ErrorBody, "description": "otp_locked (+retry_after)"},
        429: {"model": ErrorBody, "description": "otp_rate_limited (+retry_after)"},
    },
)
def request_code(
    body: OtpRequestCreate, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> OtpRequestPublic:
    issued = service.request_code(session=session, settings=settings, phone=body.phone, now=clock())
    session.commit()
    return OtpRequestPublic.of(issued.customer, issued.expires_in)


@router.post(
    "/verify",
    summary="校验短信验证码",
    responses={
        400: {"model": ErrorBody, "description": "otp_invalid (+remaining_attempts)"},
        410: {"model": ErrorBody, "description": "otp_expired"},
        423: {"model": ErrorBody, "description": "otp_locked (+retry_after)"},
    },
)
def verify_code(
    body: OtpVerifyCreate, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> OtpVerifyPublic:
    try:
        customer = service.verify_code(
            session=session, settings=settings, phone=body.phone, code=body.code, now=clock()
        )
    except (OtpInvalid, OtpLocked):
        session.commit()  # the failed attempt / the lock must survive the error response
        raise
    session.commit()
    return OtpVerifyPublic.of(customer)
