"""Deterministic demo data, the fixed demo customers, and the manage CLI."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankkit.identifiers import is_luhn_valid, is_valid_id_number
from crm_api.accounts.models import Account, Transaction
from crm_api.clock import SHANGHAI, shanghai_day_start
from crm_api.customers.models import Customer
from crm_api.database import create_db_engine, create_session_factory
from crm_api.manage import main as manage_main
from crm_api.seed import generate, seed
from tests.crm_api.conftest import migrate

TODAY = date(2026, 11, 29)


def _seed_fresh_sqlite(path: Path, customers: int) -> list[tuple[str, str, Decimal]]:
    url = f"sqlite:///{path}"
    migrate(url)
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        seed(session=session, customers=customers, today=TODAY)
        session.commit()
        rows = session.execute(
            select(Customer.name, Account.number, Account.balance)
            .join(Account)
            .order_by(Account.id)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_two_seeds_on_two_fresh_databases_are_identical(tmp_path: Path) -> None:
    first = _seed_fresh_sqlite(tmp_path / "a.db", customers=30)
    second = _seed_fresh_sqlite(tmp_path / "b.db", customers=30)
    assert first == second
    assert len({name for name, _, _ in first}) > 20  # and not trivially the same name


def test_generation_is_pure_and_repeatable() -> None:
    assert generate(customers=12, today=TODAY) == generate(customers=12, today=TODAY)


@pytest.fixture
def seeded(session: Session) -> Session:
    """A few customers: the demo customers come first and do not depend on the count."""
    seed(session=session, customers=5, today=TODAY)
    return session


@pytest.fixture
def seeded_full(session: Session) -> Session:
    started = time.perf_counter()
    seed(session=session, customers=200, today=TODAY)
    elapsed = time.perf_counter() - started
    if session.get_bind().dialect.name == "sqlite":
        assert elapsed < 15, f"seeding 200 customers took {elapsed:.1f}s"
    return session


def test_zhang_wei_invariants(seeded: Session) -> None:
    zhang = seeded.get(Customer, 1)
    assert zhang is not None
    assert (zhang.name, zhang.gender, zhang.phone) == ("张伟", "男", "13800138000")
    debit, credit = zhang.accounts
    assert debit.account_type == "储蓄卡" and debit.number.endswith("1234")
    assert debit.balance == Decimal("52380.45")
    assert credit.account_type == "信用卡"
    assert credit.credit_limit == Decimal("50000.00")
    assert credit.statement_date is not None and credit.due_date is not None
    assert credit.statement_amount is not None and credit.statement_amount > 0
    assert credit.minimum_payment == (credit.statement_amount / 10).quantize(Decimal("0.01"))
    assert credit.due_date - credit.statement_date == timedelta(days=20)
    assert TODAY - timedelta(days=31) < credit.statement_date < TODAY < credit.due_date
    # the balance is where the transaction history ends
    last = seeded.scalars(
        select(Transaction.balance_after)
        .where(Transaction.account_id == debit.id)
        .order_by(Transaction.occurred_at.desc(), Transaction.id.desc())
        .limit(1)
    ).one()
    assert last == Decimal("52380.45")


def test_li_na_has_only_a_debit_card(seeded: Session) -> None:
    li = seeded.get(Customer, 2)
    assert li is not None
    assert (li.name, li.gender, li.phone) == ("李娜", "女", "13900139000")
    assert [a.account_type for a in li.accounts] == ["储蓄卡"]


def test_demo_customers_do_not_depend_on_the_customer_count() -> None:
    few = generate(customers=2, today=TODAY)
    many = generate(customers=20, today=TODAY)
    assert few[0] == many[0][:2]
    assert few[1] == many[1][: len(few[1])]


def test_seeded_data_is_realistic_and_consistent(seeded_full: Session) -> None:
    seeded = seeded_full
    customers = seeded.scalars(select(Customer)).all()
    assert len(customers) == 200
    assert all(is_valid_id_number(c.id_number) for c in customers)
    # the 17th digit of a 身份证 number is odd for men
    assert all((int(c.id_number[16]) % 2 == 1) == (c.gender == "男") for c in customers)
    assert {c.tier for c in customers} == {"普通", "金卡", "白金", "私行"}
    accounts = seeded.scalars(select(Account)).all()
    assert all(is_luhn_valid(a.number) for a in accounts)
    per_customer = (
        seeded.execute(select(func.count(Account.id)).group_by(Account.customer_id)).scalars().all()
    )
    assert min(per_customer) >= 1 and max(per_customer) <= 3
    assert sum(1 for a in accounts if a.account_type == "信用卡") > 60

    window_start = shanghai_day_start(TODAY - timedelta(days=190))
    first, last = seeded.execute(
        select(func.min(Transaction.occurred_at), func.max(Transaction.occurred_at))
    ).one()
    assert first >= window_start
    assert last.astimezone(SHANGHAI).date() < TODAY  # history ends yesterday
    negative_debit = seeded.scalar(
        select(func.count())
        .select_from(Transaction)
        .join(Account)
        .where(Account.account_type == "储蓄卡", Transaction.balance_after < 0)
    )
    assert negative_debit == 0
    categories = set(seeded.scalars(select(Transaction.category).distinct()))
    assert {"工资", "餐饮", "购物", "缴费", "取现", "还款", "转账"} <= categories

    # every running balance follows from the previous one, and ends at the account balance
    for account in accounts[:60]:
        rows = seeded.execute(
            select(Transaction.amount, Transaction.balance_after)
            .where(Transaction.account_id == account.id)
            .order_by(Transaction.occurred_at, Transaction.id)
        ).all()
        sign = -1 if account.account_type == "信用卡" else 1
        for (_, before), (amount, after) in zip(rows, rows[1:], strict=False):
            assert after == before + sign * amount
        assert rows[-1][1] == account.balance


def test_seeded_demo_customer_through_the_api(seeded: Session, client: TestClient) -> None:
    customer = client.get("/api/v1/customers/by-phone", params={"phone": "13800138000"}).json()
    assert customer["id"] == 1 and customer["name"] == "张伟"
    accounts = client.get("/api/v1/customers/1/accounts").json()
    assert [(a["account_type"], a["last4"], a["balance"]) for a in accounts][0] == (
        "储蓄卡",
        "1234",
        "52380.45",
    )
    assert accounts[1]["credit_limit"] == "50000.00"
    statement = client.get(f"/api/v1/customers/1/accounts/{accounts[1]['id']}/statement")
    assert statement.status_code == 200
    page = client.get(
        f"/api/v1/customers/1/accounts/{accounts[0]['id']}/transactions",
        params={"start": "2026-10-01", "end": "2026-10-31", "limit": 5},
    ).json()
    assert page["total"] > 20 and Decimal(page["income_total"]) >= Decimal("21500.00")


def test_manage_cli_migrate_seed_and_if_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    assert manage_main(["migrate"]) == 0
    assert manage_main(["seed", "--customers", "5"]) == 0
    assert manage_main(["seed", "--customers", "5", "--if-empty"]) == 0
    assert "skipped" in capsys.readouterr().out
    assert manage_main(["seed", "--customers", "5"]) == 1  # refuses to seed twice
    assert manage_main(["seed", "--customers", "6", "--reset"]) == 0
    engine = create_db_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with create_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 6
        assert session.get(Customer, 1).name == "张伟"  # type: ignore[union-attr]
    engine.dispose()
