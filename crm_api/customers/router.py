"""客户 / customers."""

from __future__ import annotations

from fastapi import APIRouter, Query

from crm_api.customers import service
from crm_api.customers.schemas import CustomerPublic
from crm_api.deps import SessionDep
from crm_api.errors import ErrorBody

router = APIRouter(prefix="/customers", tags=["客户 customers"])


@router.get(
    "/by-phone",
    summary="按手机号查询客户",
    responses={404: {"model": ErrorBody, "description": "customer_not_found"}},
)
def get_customer_by_phone(
    session: SessionDep,
    phone: str = Query(examples=["13800138000"]),
) -> CustomerPublic:
    """Look a customer up by mainland mobile number (422 `invalid_phone` if malformed)."""
    return CustomerPublic.from_customer(service.get_customer_by_phone(session=session, phone=phone))


@router.get(
    "/{customer_id}",
    summary="查询客户信息",
    responses={404: {"model": ErrorBody, "description": "customer_not_found"}},
)
def get_customer(customer_id: int, session: SessionDep) -> CustomerPublic:
    return CustomerPublic.from_customer(
        service.get_customer(session=session, customer_id=customer_id)
    )
