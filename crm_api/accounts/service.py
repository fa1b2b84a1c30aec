"""Accounts, transactions, credit-card statements and card-loss reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.accounts.errors import (
    AccountNotFound,
    InvalidDateRange,
    NotACreditCard,
    StatementNotAvailable,
)
from crm_api.accounts.models import (
    CREDIT_CARD,
    Account,
    AccountStatus,
    AccountType,
    AuditLogEntry,
    CardLossReport,
    LossReason,
    Transaction,
)
from crm_api.clock import SHANGHAI, shanghai_day_start
from crm_api.customers.service import get_customer
from crm_api.database import Money

DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 366


def list_accounts(
    *, session: Session, customer_id: int, account_type: AccountType | None = None
) -> list[Account]:
    """The customer's accounts (optionally of one type); `CustomerNotFound` if unknown."""
    get_customer(session=session, customer_id=customer_id)
    query = select(Account).where(Account.customer_id == customer_id).order_by(Account.id)
    if account_type is not None:
        query = query.where(Account.account_type == account_type)
    return list(session.scalars(query))


def get_customer_account(
    *, session: Session, customer_id: int, account_id: int, for_update: bool = False
) -> Account:
    """The account if it belongs to the customer; `AccountNotFound` otherwise."""
    query = select(Account).where(Account.id == account_id, Account.customer_id == customer_id)
    if for_update:
        query = query.with_for_update()
    account = session.scalar(query)
    if account is None:
        raise AccountNotFound()
    return account


@dataclass(frozen=True)
class TransactionPageResult:
    items: list[Transaction]
    total: int
    income_total: Decimal
    spending_total: Decimal
    start: date
    end: date


def resolve_date_range(*, start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """Inclusive (start, end): defaults to the last 30 days ending today (Beijing time).

    Raises:
        InvalidDateRange: end before start, or more than 366 days.
    """
    if end is None:
        end = today
    if start is None:
        start = end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if end < start or (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidDateRange()
    return start, end


def list_transactions(
    *,
    session: Session,
    customer_id: int,
    account_id: int,
    start: date | None,
    end: date | None,
    limit: int,
    offset: int,
    now: datetime,
) -> TransactionPageResult:
    """A page of the account's transactions in an inclusive range of Beijing calendar days.

    Items are newest first; `total` and the two sums cover the whole range, not the page.
    """
    account = get_customer_account(session=session, customer_id=customer_id, account_id=account_id)
    start, end = resolve_date_range(start=start, end=end, today=now.astimezone(SHANGHAI).date())
    in_range = (
        Transaction.account_id == account.id,
        Transaction.occurred_at >= shanghai_day_start(start),
        Transaction.occurred_at < shanghai_day_start(end + timedelta(days=1)),
    )
    zero = Decimal("0.00")
    income = func.sum(Transaction.amount).filter(Transaction.amount > zero)
    spending = func.sum(-Transaction.amount).filter(Transaction.amount < zero)
    total, income_total, spending_total = session.execute(
        select(
            func.count(Transaction.id),
            type_coerce(func.coalesce(income, zero), Money()),
            type_coerce(func.coalesce(spending, zero), Money()),
        ).where(*in_range)
    ).one()
    items = session.scalars(
        select(Transaction)
        .where(*in_range)
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return TransactionPageResult(
        items=list(items),
        total=int(total),
        income_total=income_total,
        spending_total=spending_total,
        start=start,
        end=end,
    )


def get_statement_account(*, session: Session, customer_id: int, account_id: int) -> Account:
    """The credit card whose current statement is wanted.

    Raises:
        AccountNotFound, NotACreditCard, StatementNotAvailable (no statement issued yet).
    """
    account = get_customer_account(session=session, customer_id=customer_id, account_id=account_id)
    if account.account_type != CREDIT_CARD:
        raise NotACreditCard()
    if account.statement_date is None or account.due_date is None:
        raise StatementNotAvailable()
    return account


# lost/stolen: the card is reported lost (挂失). swallowed: the card is safe inside the
# bank's ATM, so the account is only frozen until the customer collects it.
_STATUS_FOR_REASON: dict[LossReason, AccountStatus] = {
    "lost": "lost",
    "stolen": "lost",
    "swallowed": "frozen",
}


def loss_reference(report_id: int, reported_at: datetime) -> str:
    """`GS` + Beijing date + 6-digit sequence, e.g. `GS20261129000123`."""
    return f"GS{reported_at.astimezone(SHANGHAI):%Y%m%d}{report_id:06d}"


@dataclass(frozen=True)
class CardLossOutcome:
    account: Account
    report: CardLossReport
    already_reported: bool


def report_card_loss(
    *,
    session: Session,
    customer_id: int,
    account_id: int,
    reason: LossReason,
    channel: str,
    actor: str,
    now: datetime,
) -> CardLossOutcome:
    """Report a card lost/stolen/swallowed; a repeated report returns the first one.

    The status change and an audit-log row are written in the same transaction.
    """
    account = get_customer_account(
        session=session, customer_id=customer_id, account_id=account_id, for_update=True
    )
    existing = session.scalar(select(CardLossReport).where(CardLossReport.account_id == account.id))
    if existing is not None:
        return CardLossOutcome(account=account, report=existing, already_reported=True)

    report = CardLossReport(
        account_id=account.id, reason=reason, channel=channel, reported_by=actor, reported_at=now
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        # A concurrent request reported it first; return that report.
        first = session.scalars(
            select(CardLossReport).where(CardLossReport.account_id == account.id)
        ).one()
        return CardLossOutcome(account=account, report=first, already_reported=True)

    report.reference = loss_reference(report.id, now)
    previous_status = account.status
    account.status = _STATUS_FOR_REASON[reason]
    session.add(
        AuditLogEntry(
            actor=actor,
            action="card_loss_reported",
            account_id=account.id,
            reference=report.reference,
            created_at=now,
            detail={
                "reason": reason,
                "channel": channel,
                "last4": account.last4,
                "status_before": previous_status,
                "status_after": account.status,
            },
        )
    )
    session.flush()
    return CardLossOutcome(account=account, report=report, already_reported=False)
