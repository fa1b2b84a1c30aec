"""Demo accounts: a 储蓄卡 for everyone, a 信用卡 for many, a savings card for some,
each with six months of transactions ending yesterday (crm_api/accounts/seed_transactions.py).

张伟 (customer 1): 储蓄卡 尾号1234 ending at ¥52,380.45, and a 信用卡 with a ¥50,000 limit
whose current statement is unpaid and due in the future. 李娜 (customer 2): one 储蓄卡.

Balances are never set directly: every account starts from an opening balance before
the window and `balance_after` is the running balance, so balances always agree with
the transaction history.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker
from sqlalchemy import delete
from sqlalchemy.orm import Session

from bankkit.identifiers import luhn_check_digit
from crm_api.accounts.models import (
    CREDIT_CARD,
    DEBIT_CARD,
    Account,
    AuditLogEntry,
    CardLossReport,
    Transaction,
)
from crm_api.accounts.seed_transactions import (
    Ledger,
    SpendingProfile,
    money_between,
    pin_final_balance,
    simulate,
    simulate_savings,
    yuan,
)
from crm_api.customers.seed import LI_NA_ID, ZHANG_WEI_ID, DemoCustomer
from crm_api.seeding import draw_unique, insert_rows, move_id_sequences_past_rows

ZHANG_WEI_DEBIT_BALANCE = Decimal("52380.45")
ZHANG_WEI_CREDIT_LIMIT = Decimal("50000.00")

# monthly take-home pay range in yuan per income band
MONTHLY_PAY = [
    (2800, 4000),
    (4200, 8000),
    (8500, 15000),
    (16000, 35000),
    (40000, 70000),
    (80000, 150000),
]
CREDIT_LIMITS = [
    (5000, 10000),
    (10000, 20000),
    (20000, 50000),
    (50000, 100000),
    (100000, 200000),
    (200000, 500000),
]
DEBIT_BINS = ["622202", "622848", "621226"]  # 19-digit 借记卡
CREDIT_BINS = ["625907", "427020", "524094"]  # 16-digit 贷记卡 (银联 / Visa / Mastercard)


def card_number(rng: random.Random, bin_: str, length: int, last4: str | None = None) -> str:
    """A Luhn-valid card number; with `last4`, one ending in those digits."""
    while True:
        if last4 is None:
            body = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
            return body + luhn_check_digit(body)
        middle = "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 4))
        body = bin_ + middle + last4[:3]
        if luhn_check_digit(body) == last4[3]:
            return body + last4[3]


class AccountDraw:
    """Draws each customer's accounts and their history, numbering accounts in order and
    never repeating a card number."""

    def __init__(self, *, rng: random.Random, fake: Faker, today: date, days: list[date]) -> None:
        self.rng, self.fake, self.today, self.days = rng, fake, today, days
        self.numbers: set[str] = set()
        self.account_id = 0

    def _next_id(self) -> int:
        self.account_id += 1
        return self.account_id

    def draw(self, customer: DemoCustomer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The customer's account rows and transaction rows."""
        rng, fake, today, days = self.rng, self.fake, self.today, self.days
        customer_id, band = customer.row["id"], customer.band
        city, occupation = customer.row["city"], customer.row["occupation"]
        zhang, li = customer_id == ZHANG_WEI_ID, customer_id == LI_NA_ID
        account_rows: list[dict[str, Any]] = []
        transaction_rows: list[dict[str, Any]] = []

        low, high = MONTHLY_PAY[band]
        renter = zhang or (not li and rng.random() < 0.45)
        profile = SpendingProfile(
            city=city,
            band=band,
            monthly_pay=money_between(rng, low, high),
            pay_day=10 if zhang or li else rng.choice([5, 10, 15, 20, 25]),
            employer=fake.company() if occupation != "退休人员" else f"{city}市社会保险基金",
            rent=yuan(rng.randint(15, 60) * 10000) if renter else None,
            rent_day=rng.randint(1, 5),
            landlord=fake.last_name() + fake.first_name(),
            spend_level=rng.uniform(0.6, 1.3),
            pays_in_full=zhang or rng.random() < 0.75,
        )
        if zhang:
            profile.monthly_pay, profile.rent = Decimal("21500.00"), Decimal("5200.00")
            profile.spend_level = 1.0

        has_credit = zhang or (not li and rng.random() < 0.6)
        has_second_debit = not (zhang or li) and rng.random() < 0.2
        debit_id = self._next_id()
        debit_number = card_number(rng, rng.choice(DEBIT_BINS), 19, last4="1234" if zhang else None)
        while debit_number in self.numbers:
            debit_number = card_number(rng, rng.choice(DEBIT_BINS), 19)
        self.numbers.add(debit_number)
        debit = Ledger(debit_id, False, money_between(rng, 2000, 20000 * (band + 1)))
        debit_row: dict[str, Any] = {
            "id": debit_id,
            "customer_id": customer_id,
            "account_type": DEBIT_CARD,
            "number": debit_number,
            "currency": "CNY",
            "status": "normal",
            "opened_on": customer.first_opened,
        }
        account_rows.append(debit_row)

        credit = None
        credit_row: dict[str, Any] | None = None
        statement_day = rng.randint(1, 28)
        if has_credit:
            credit_id = self._next_id()
            number = draw_unique(
                self.numbers, lambda: card_number(rng, rng.choice(CREDIT_BINS), 16)
            )
            limit = (
                ZHANG_WEI_CREDIT_LIMIT
                if zhang
                else Decimal(rng.randint(*CREDIT_LIMITS[band]) // 1000 * 1000)
            )
            if zhang:
                # statement 8 days ago (day ≤ 28), so the current bill is unpaid and due soon
                statement_day = min((today - timedelta(days=8)).day, 28)
            credit = Ledger(credit_id, True, Decimal("0.00"), credit_limit=limit)
            credit_row = {
                "id": credit_id,
                "customer_id": customer_id,
                "account_type": CREDIT_CARD,
                "number": number,
                "currency": "CNY",
                "status": "normal",
                "credit_limit": limit,
                "opened_on": customer.first_opened + timedelta(days=rng.randint(0, 300)),
            }
            account_rows.append(credit_row)

        sim_rng = random.Random(rng.getrandbits(64))
        statement = simulate(
            sim_rng,
            profile,
            debit,
            credit,
            credit_row["number"][-4:] if credit_row else "",
            statement_day,
            days,
            lambda: fake.last_name() + fake.first_name(),
        )
        if zhang:
            pin_final_balance(debit, ZHANG_WEI_DEBIT_BALANCE)
        debit_row["balance"] = debit.balance
        transaction_rows.extend(debit.rows)
        if credit is not None and credit_row is not None:
            credit_row["balance"] = credit.balance
            credit_row.update(statement)
            transaction_rows.extend(credit.rows)

        if has_second_debit:
            savings_id = self._next_id()
            number = draw_unique(self.numbers, lambda: card_number(rng, rng.choice(DEBIT_BINS), 19))
            savings = Ledger(savings_id, False, money_between(rng, 10000, 80000 * (band + 1)))
            simulate_savings(sim_rng, savings, days)
            account_rows.append(
                {
                    "id": savings_id,
                    "customer_id": customer_id,
                    "account_type": DEBIT_CARD,
                    "number": number,
                    "currency": "CNY",
                    "status": "normal",
                    "balance": savings.balance,
                    "opened_on": customer.first_opened + timedelta(days=30),
                }
            )
            transaction_rows.extend(savings.rows)
        return account_rows, transaction_rows


def insert(
    session: Session, accounts: list[dict[str, Any]], transactions: list[dict[str, Any]]
) -> None:
    insert_rows(session, Account, accounts)
    insert_rows(session, Transaction, transactions)
    move_id_sequences_past_rows(session, ["accounts"])


def clear(session: Session) -> None:
    """Delete the accounts and everything that hangs off them."""
    for model in (AuditLogEntry, CardLossReport, Transaction, Account):
        session.execute(delete(model))
