"""Accounts, transactions, statements and card-loss reports."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.accounts.models import Account, AuditLogEntry, CardLossReport
from crm_api.clock import SHANGHAI, UTC
from tests.crm_api.conftest import FakeClock, assert_error
from tests.crm_api.factories import AccountFactory, CustomerFactory, TransactionFactory


def _local(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    """A Beijing wall-clock time as an aware datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- accounts


def test_accounts_are_listed_with_masked_numbers_only(client: TestClient) -> None:
    customer = CustomerFactory()
    debit = AccountFactory(customer=customer, balance=Decimal("52380.45"))
    credit = AccountFactory(customer=customer, credit=True, balance=Decimal("7531.35"))
    response = client.get(f"/api/v1/customers/{customer.id}/accounts")
    assert response.status_code == 200
    body = response.json()
    assert [a["id"] for a in body] == [debit.id, credit.id]
    assert body[0] == {
        "id": debit.id,
        "account_type": "储蓄卡",
        "masked_number": f"尾号{debit.number[-4:]}",
        "last4": debit.number[-4:],
        "status": "normal",
        "currency": "CNY",
        "balance": "52380.45",
        "credit_limit": None,
        "available_credit": None,
        "opened_on": "2020-01-01",
    }
    assert body[1]["balance"] == "7531.35"  # amount owed
    assert body[1]["credit_limit"] == "50000.00"
    assert body[1]["available_credit"] == "42468.65"
    for account in (debit, credit):
        assert account.number not in response.text
        # nor any 8+ digit slice of it
        assert not re.search(account.number[:8], response.text)


@pytest.mark.parametrize(
    ("account_type", "expected"),
    [
        ("储蓄卡", ["储蓄卡"]),  # debit only
        ("信用卡", ["信用卡"]),  # credit only
        (None, ["储蓄卡", "信用卡"]),  # no filter: both
    ],
)
def test_accounts_filter_by_type(
    client: TestClient, account_type: str | None, expected: list[str]
) -> None:
    customer = CustomerFactory()
    AccountFactory(customer=customer)
    AccountFactory(customer=customer, credit=True)
    params = {"account_type": account_type} if account_type else {}
    response = client.get(f"/api/v1/customers/{customer.id}/accounts", params=params)
    assert [a["account_type"] for a in response.json()] == expected


def test_accounts_of_unknown_customer_is_customer_not_found(client: TestClient) -> None:
    assert_error(client.get("/api/v1/customers/424242/accounts"), 404, "customer_not_found")


def test_money_is_exact_decimal_on_every_backend(session: Session) -> None:
    account = AccountFactory(balance=Decimal("9999999999999999.99"))
    session.expire_all()
    stored = session.get(Account, account.id)
    assert stored is not None
    assert stored.balance == Decimal("9999999999999999.99")


def test_money_refuses_float(session: Session) -> None:
    with pytest.raises(Exception, match="not float"):
        AccountFactory(balance=0.1)


# ---------------------------------------------------------------- transactions


@pytest.fixture
def history(session: Session) -> tuple[Account, list[Decimal]]:
    """Ten transactions on 2026-10-01…10 (Beijing, noon), alternating spending/income."""
    account = AccountFactory(balance=Decimal("1000.00"))
    amounts = []
    for day in range(1, 11):
        amount = Decimal(f"{day * 10}.50") * (1 if day % 2 == 0 else -1)
        amounts.append(amount)
        TransactionFactory(account=account, occurred_at=_local(2026, 10, day), amount=amount)
    return account, amounts


def _url(account: Account) -> str:
    return f"/api/v1/customers/{account.customer_id}/accounts/{account.id}/transactions"


def test_transactions_are_paged_newest_first_with_totals_over_the_range(
    client: TestClient, history: tuple[Account, list[Decimal]]
) -> None:
    account, amounts = history
    params = {"start": "2026-10-01", "end": "2026-10-10", "limit": 3, "offset": 2}
    response = client.get(_url(account), params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 10
    assert page["start"] == "2026-10-01" and page["end"] == "2026-10-10"
    # newest first: 10th, 9th, 8th … offset 2 gives the 8th, 7th, 6th
    assert [item["amount"] for item in page["items"]] == ["80.50", "-70.50", "60.50"]
    assert page["items"][0]["occurred_at"] == "2026-10-08T12:00:00+08:00"
    assert page["income_total"] == str(sum(a for a in amounts if a > 0))
    assert page["spending_total"] == str(-sum(a for a in amounts if a < 0))
    assert page["income_total"] == "302.50"
    assert page["spending_total"] == "252.50"


def test_transaction_range_uses_beijing_calendar_days_inclusively(
    client: TestClient, session: Session
) -> None:
    account = AccountFactory()
    inside = [_local(2026, 10, 1, 0, 0), _local(2026, 10, 31, 23, 59)]
    outside = [_local(2026, 9, 30, 23, 59), _local(2026, 11, 1, 0, 0)]
    for when in inside + outside:
        TransactionFactory(account=account, occurred_at=when)
    page = client.get(_url(account), params={"start": "2026-10-01", "end": "2026-10-31"}).json()
    got = {datetime.fromisoformat(i["occurred_at"]) for i in page["items"]}
    assert got == set(inside)


def test_default_range_is_the_last_30_days(client: TestClient, clock: FakeClock) -> None:
    account = AccountFactory()
    today = clock().astimezone(SHANGHAI).date()  # 2026-11-29
    TransactionFactory(account=account, occurred_at=_local(2026, 10, 31))  # day 30 back: in
    TransactionFactory(account=account, occurred_at=_local(2026, 10, 30))  # day 31 back: out
    page = client.get(_url(account)).json()
    assert page["end"] == today.isoformat()
    assert page["start"] == (today - timedelta(days=29)).isoformat()
    assert page["total"] == 1


def test_empty_range_has_zero_totals(client: TestClient) -> None:
    account = AccountFactory()
    page = client.get(_url(account), params={"start": "2026-01-01", "end": "2026-01-31"}).json()
    assert page == {
        "items": [],
        "total": 0,
        "income_total": "0.00",
        "spending_total": "0.00",
        "start": "2026-01-01",
        "end": "2026-01-31",
    }


@pytest.mark.parametrize(
    ("start", "end", "status", "code"),
    [
        ("2026-10-10", "2026-10-01", 422, "invalid_date_range"),  # end before start
        ("2025-10-01", "2026-10-02", 422, "invalid_date_range"),  # 367 days
        ("2025-10-01", "2026-10-01", 200, None),  # exactly 366 days is allowed
        ("2026-10-01", "2026-10-01", 200, None),  # a single day
        ("2026-13-01", "2026-10-01", 422, "validation_error"),  # not a date
    ],
)
def test_date_range_validation(
    client: TestClient, start: str, end: str, status: int, code: str | None
) -> None:
    account = AccountFactory()
    response = client.get(_url(account), params={"start": start, "end": end})
    if code is None:
        assert response.status_code == status
    else:
        assert_error(response, status, code)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},  # below 1
        {"limit": 101},  # above 100
        {"offset": -1},  # negative offset
    ],
)
def test_paging_limits(client: TestClient, params: dict[str, int]) -> None:
    account = AccountFactory()
    assert_error(client.get(_url(account), params=params), 422, "validation_error")


def test_another_customers_account_is_account_not_found(client: TestClient) -> None:
    mine = CustomerFactory()
    theirs = AccountFactory()
    TransactionFactory(account=theirs)
    for suffix in ("transactions", "statement"):
        response = client.get(f"/api/v1/customers/{mine.id}/accounts/{theirs.id}/{suffix}")
        assert_error(response, 404, "account_not_found")
    response = client.post(
        f"/api/v1/customers/{mine.id}/accounts/{theirs.id}/report-loss", json={"reason": "lost"}
    )
    assert_error(response, 404, "account_not_found")


# ---------------------------------------------------------------- statement


def test_credit_card_statement(client: TestClient) -> None:
    card = AccountFactory(credit=True, balance=Decimal("3100.10"))
    response = client.get(f"/api/v1/customers/{card.customer_id}/accounts/{card.id}/statement")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "account_id": card.id,
        "masked_number": f"尾号{card.number[-4:]}",
        "statement_date": "2026-11-20",
        "due_date": "2026-12-10",
        "statement_amount": "2500.00",
        "minimum_payment": "250.00",
        "credit_limit": "50000.00",
        "available_credit": "46899.90",
        "current_balance": "3100.10",
    }
    assert card.number not in response.text


def test_statement_of_debit_card_is_not_a_credit_card(client: TestClient) -> None:
    card = AccountFactory()
    response = client.get(f"/api/v1/customers/{card.customer_id}/accounts/{card.id}/statement")
    assert_error(response, 409, "not_a_credit_card")


def test_statement_of_unknown_account_is_account_not_found(client: TestClient) -> None:
    customer = CustomerFactory()
    response = client.get(f"/api/v1/customers/{customer.id}/accounts/987654/statement")
    assert_error(response, 404, "account_not_found")


# ---------------------------------------------------------------- card loss


def _report(client: TestClient, account: Account, reason: str = "lost"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/customers/{account.customer_id}/accounts/{account.id}/report-loss",
        json={"reason": reason, "channel": "web"},
    )


def test_card_loss_is_idempotent_and_audited(
    client: TestClient, session: Session, clock: FakeClock
) -> None:
    card = AccountFactory()
    first = _report(client, card)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["already_reported"] is False
    assert body["account"]["status"] == "lost"
    assert re.fullmatch(r"GS20261129\d{6}", body["reference"])
    assert datetime.fromisoformat(body["reported_at"]) == clock()
    assert card.number not in first.text

    reported_at = clock()
    clock.advance(3600)
    second = _report(client, card, reason="stolen")
    assert second.json()["already_reported"] is True
    assert second.json()["reported_at"] == body["reported_at"]
    assert second.json()["reference"] == body["reference"]

    audits = session.scalars(select(AuditLogEntry).where(AuditLogEntry.account_id == card.id)).all()
    assert len(audits) == 1
    audit = audits[0]
    assert (audit.actor, audit.action, audit.reference) == (
        "action_server",
        "card_loss_reported",
        body["reference"],
    )
    assert audit.created_at.tzinfo is not None and audit.created_at == reported_at
    assert audit.detail["last4"] == card.number[-4:]
    assert card.number not in str(audit.detail)
    assert session.scalar(select(CardLossReport).where(CardLossReport.account_id == card.id))
    session.expire_all()
    assert session.get(Account, card.id).status == "lost"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("lost", "lost"),  # lost card → 挂失
        ("stolen", "lost"),  # stolen card → 挂失
        ("swallowed", "frozen"),  # ATM kept the card → frozen, not lost
    ],
)
def test_card_loss_status_by_reason(client: TestClient, reason: str, status: str) -> None:
    card = AccountFactory(credit=True)
    assert _report(client, card, reason).json()["account"]["status"] == status


def test_card_loss_with_unknown_reason_is_validation_error(client: TestClient) -> None:
    assert_error(_report(client, AccountFactory(), "forgot"), 422, "validation_error")


def test_card_loss_dates_reference_in_beijing_time(client: TestClient, clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)  # 01:30 on 30 Nov in Beijing
    body = _report(client, AccountFactory()).json()
    assert body["reference"].startswith("GS20261130")
    assert body["reported_at"] == "2026-11-30T01:30:00+08:00"
