"""账户 / accounts: balances, transactions, credit-card statements, card loss."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crm_api.accounts import presenters, service
from crm_api.accounts.models import AccountType
from crm_api.accounts.schemas import (
    AccountPublic,
    CardLossCreate,
    CardLossResult,
    CreditCardStatement,
    TransactionPage,
)
from crm_api.deps import ClockDep, ServiceCaller, SessionDep
from crm_api.errors import ErrorBody

router = APIRouter(prefix="/customers/{customer_id}/accounts", tags=["账户 accounts"])

_ACCOUNT_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "account_not_found"}
}


@router.get(
    "",
    summary="查询客户账户列表",
    responses={404: {"model": ErrorBody, "description": "customer_not_found"}},
)
def list_accounts(
    customer_id: int,
    session: SessionDep,
    account_type: Annotated[AccountType | None, Query(description="储蓄卡 or 信用卡")] = None,
) -> list[AccountPublic]:
    accounts = service.list_accounts(
        session=session, customer_id=customer_id, account_type=account_type
    )
    return [AccountPublic.from_account(a) for a in accounts]


@router.get(
    "/{account_id}/transactions",
    summary="查询交易明细",
    responses={
        **_ACCOUNT_NOT_FOUND,
        422: {"model": ErrorBody, "description": "invalid_date_range / validation_error"},
    },
)
def list_transactions(
    customer_id: int,
    account_id: int,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[date | None, Query(description="起始日 (含), 北京时间")] = None,
    end: Annotated[date | None, Query(description="截止日 (含), 北京时间; 默认今天")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TransactionPage:
    """Newest first; without dates, the last 30 days. Totals cover the whole range."""
    result = service.list_transactions(
        session=session,
        customer_id=customer_id,
        account_id=account_id,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
        now=clock(),
    )
    return presenters.transaction_page(result)


@router.get(
    "/{account_id}/statement",
    summary="查询信用卡账单",
    responses={
        **_ACCOUNT_NOT_FOUND,
        409: {"model": ErrorBody, "description": "not_a_credit_card"},
    },
)
def get_statement(customer_id: int, account_id: int, session: SessionDep) -> CreditCardStatement:
    account = service.get_statement_account(
        session=session, customer_id=customer_id, account_id=account_id
    )
    return CreditCardStatement.of(account)


@router.post("/{account_id}/report-loss", summary="挂失银行卡", responses=_ACCOUNT_NOT_FOUND)
def report_loss(
    customer_id: int,
    account_id: int,
    body: CardLossCreate,
    session: SessionDep,
    clock: ClockDep,
    caller: ServiceCaller,
) -> CardLossResult:
    """Report a card lost, stolen or swallowed by an ATM. Idempotent per account.

    lost/stolen set the status to `lost`; swallowed sets `frozen` (the card is in the
    bank's hands, so it is blocked rather than declared lost).
    """
    outcome = service.report_card_loss(
        session=session,
        customer_id=customer_id,
        account_id=account_id,
        reason=body.reason,
        channel=body.channel,
        actor=caller.name,
        now=clock(),
    )
    session.commit()
    return presenters.card_loss(outcome)
