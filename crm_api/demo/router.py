"""演示 / demo-only routes: included only when CRM_DEMO_MODE is on (never in production)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm_api.customers.service import get_customer_by_phone, parse_phone
from crm_api.demo import service
from crm_api.demo.schemas import AppTokenCreate, AppTokenPublic, SmsOutboxPublic
from crm_api.deps import ClockDep, SessionDep, SettingsDep
from crm_api.errors import ErrorBody
from crm_api.otp import sms

router = APIRouter(prefix="/demo", tags=["演示 demo only"])


@router.get("/sms-outbox", summary="演示：模拟短信发件箱")
def list_sms_outbox(
    session: SessionDep,
    phone: Annotated[str | None, Query(examples=["13800138000"])] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[SmsOutboxPublic]:
    """Messages the simulated SMS gateway 'sent', newest first (contains codes: demo only)."""
    phone_filter = parse_phone(phone) if phone else None
    messages = sms.list_outbox(session=session, phone=phone_filter, limit=limit)
    return [SmsOutboxPublic.model_validate(m) for m in messages]


@router.post(
    "/app-token",
    summary="演示：模拟手机银行登录令牌",
    responses={404: {"model": ErrorBody, "description": "customer_not_found"}},
)
def issue_app_token(
    body: AppTokenCreate, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> AppTokenPublic:
    customer = get_customer_by_phone(session=session, phone=body.phone)
    token = service.issue_app_token(settings=settings, customer=customer, now=clock())
    return AppTokenPublic(token=token, customer_id=customer.id)
