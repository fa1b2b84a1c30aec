"""factory-boy factories for CRM rows; they flush into the test's session."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from bankkit.identifiers import id_number_check_char, luhn_check_digit
from crm_api.accounts.models import CREDIT_CARD, DEBIT_CARD, Account, Transaction
from crm_api.customers.models import Customer

_current: dict[str, Session | None] = {"session": None}


def use_session(session: Session | None) -> None:
    _current["session"] = session


def _session() -> Session:
    session = _current["session"]
    assert session is not None, "factories need the `session` fixture"
    return session


def make_id_number(n: int, male: bool = True) -> str:
    birth = date(1980, 1, 1) + timedelta(days=n % 9000)
    first17 = f"110105{birth:%Y%m%d}{n % 100:02d}{(n % 5) * 2 + (1 if male else 0)}"
    return first17 + id_number_check_char(first17)


def make_card_number(n: int, prefix: str = "622202", length: int = 19) -> str:
    body = f"{prefix}{n:0{length - len(prefix) - 1}d}"
    return body + luhn_check_digit(body)


class _Base(SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        abstract = True
        sqlalchemy_session_factory = _session
        sqlalchemy_session_persistence = "flush"


class CustomerFactory(_Base):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="zh_CN")
    gender = "男"
    birth_date = date(1985, 6, 1)
    id_number = factory.Sequence(lambda n: make_id_number(n))
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    city = "北京"
    occupation = "教师"
    income_band = "10-20万"
    tier = "普通"
    created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)


class AccountFactory(_Base):
    class Meta:
        model = Account

    customer = factory.SubFactory(CustomerFactory)
    account_type = DEBIT_CARD
    number = factory.Sequence(lambda n: make_card_number(n + 1000))
    currency = "CNY"
    balance = Decimal("1000.00")
    status = "normal"
    opened_on = date(2020, 1, 1)

    class Params:
        credit = factory.Trait(
            account_type=CREDIT_CARD,
            number=factory.Sequence(lambda n: make_card_number(n + 5000, "625907", 16)),
            balance=Decimal("3000.00"),
            credit_limit=Decimal("50000.00"),
            statement_amount=Decimal("2500.00"),
            minimum_payment=Decimal("250.00"),
            statement_date=date(2026, 11, 20),
            due_date=date(2026, 12, 10),
        )


class TransactionFactory(_Base):
    class Meta:
        model = Transaction
        exclude = ("account",)

    account = factory.SubFactory(AccountFactory)
    account_id = factory.SelfAttribute("account.id")
    occurred_at = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)
    amount = Decimal("-10.00")
    counterparty = "财付通-瑞幸咖啡"
    channel = "快捷支付"
    category = "餐饮"
    balance_after = Decimal("990.00")
