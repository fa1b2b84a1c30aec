"""Deterministic demo data for every domain, in foreign-key order.

The same seed and the same `today` give exactly the same rows. Histories end yesterday,
so the demo has recent data whenever it is seeded. Each domain's `seed.py` owns its
data (customers, accounts with their transactions, products, staff, complaints with
satisfaction surveys); this module only decides the order and what they share.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crm_api.accounts import seed as accounts_seed
from crm_api.clock import SHANGHAI, utc_now
from crm_api.complaints import seed as complaints_seed
from crm_api.customers import seed as customers_seed
from crm_api.customers.models import Customer
from crm_api.otp.models import OtpCode, OtpLock, SmsOutboxMessage
from crm_api.products.seed import seed_products
from crm_api.staff import seed as staff_seed

SEED = 20261129
HISTORY_DAYS = 183  # about six months


def generate(
    *, customers: int = 200, today: date | None = None, seed: int = SEED
) -> tuple[list[customers_seed.CustomerRow], list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for customers, accounts and transactions; pure (no database).

    Customers and their accounts are drawn in turn from one random stream, so the
    demo customers (ids 1 and 2) do not depend on how many others there are.
    """
    if customers < 2:
        raise ValueError("at least the two demo customers are generated")
    today = today or utc_now().astimezone(SHANGHAI).date()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]
    customer_draw = customers_seed.CustomerDraw(rng=rng, fake=fake, today=today)
    account_draw = accounts_seed.AccountDraw(rng=rng, fake=fake, today=today, days=days)
    customer_rows: list[customers_seed.CustomerRow] = []
    account_rows: list[dict[str, Any]] = []
    transaction_rows: list[dict[str, Any]] = []
    for customer_id in range(1, customers + 1):
        customer = customer_draw.draw(customer_id)
        accounts, transactions = account_draw.draw(customer)
        customer_rows.append(customer.row)
        account_rows.extend(accounts)
        transaction_rows.extend(transactions)
    transaction_rows.sort(key=lambda r: (r["account_id"], r["occurred_at"]))
    return customer_rows, account_rows, transaction_rows


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Customer))


def clear(session: Session) -> None:
    """Delete all CRM rows (children first)."""
    complaints_seed.clear(session)  # complaints and surveys
    staff_seed.clear(session)
    # Written by the running system, never seeded; a reset starts without them too.
    for model in (SmsOutboxMessage, OtpLock, OtpCode):
        session.execute(delete(model))
    accounts_seed.clear(session)
    customers_seed.clear(session)


def seed(*, session: Session, customers: int = 200, today: date | None = None) -> dict[str, int]:
    """Insert the demo data with bulk inserts; the caller commits. Returns row counts."""
    customer_rows, account_rows, transaction_rows = generate(customers=customers, today=today)
    customers_seed.insert(session, customer_rows)
    accounts_seed.insert(session, account_rows, transaction_rows)
    seed_products(session=session, customers=customer_rows, accounts=account_rows, today=today)
    staff = staff_seed.seed(session=session)
    complaints_seed.seed(session=session, customers=customer_rows, staff=staff, today=today)
    session.flush()
    return {
        "customers": len(customer_rows),
        "accounts": len(account_rows),
        "transactions": len(transaction_rows),
    }
