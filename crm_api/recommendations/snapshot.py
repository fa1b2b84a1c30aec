"""A read-only snapshot of what the recommender learns from: customer profiles and
behaviour (balances, salary, spending from transactions, age, occupation, risk level),
the catalogue and the holdings matrix. Detached from the session, so it can be cached.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from scipy import sparse
from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from crm_api.accounts.models import DEBIT_CARD, Account, Transaction
from crm_api.clock import shanghai_day_start, shanghai_today
from crm_api.customers.models import INCOME_BANDS, TIERS, Customer
from crm_api.database import Money
from crm_api.products.models import INVESTMENT_TYPES, Holding, Product
from crm_api.risk.models import RiskAssessment

WINDOW_DAYS = 90  # "近三个月"
BUSINESS_OCCUPATIONS = ("企业主", "个体工商户")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ProductInfo:
    id: int
    code: str
    name: str
    product_type: str
    subtype: str
    risk_level: int | None
    term_days: int | None
    min_amount: Decimal
    max_amount: Decimal | None
    rate: Decimal | None
    min_age: int
    max_age: int | None
    sale_status: str

    @property
    def is_investment(self) -> bool:
        return self.product_type in INVESTMENT_TYPES or (
            self.product_type == "保险" and self.risk_level is not None
        )

    @classmethod
    def from_product(cls, p: Product) -> ProductInfo:
        return cls(
            p.id,
            p.code,
            p.name,
            p.product_type,
            p.subtype,
            p.risk_level,
            p.term_days,
            p.min_amount,
            p.max_amount,
            p.rate,
            p.min_age,
            p.max_age,
            p.sale_status,
        )


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    age: int
    occupation: str
    income_band: int
    tier: int
    monthly_income: Decimal  # salary credited, average over the window
    monthly_spending: Decimal  # spending (not repayments or investments), average
    avg_balance: Decimal  # average 储蓄卡 balance over the window
    savings: Decimal  # current 储蓄卡 balances
    has_credit_card: bool
    pays_rent: bool
    risk_level: int | None  # valid assessment only

    @property
    def is_business_owner(self) -> bool:
        return self.occupation in BUSINESS_OCCUPATIONS

    @property
    def is_retired(self) -> bool:
        return self.occupation == "退休人员" or self.age >= 60

    @property
    def idle_cash(self) -> Decimal:
        """Average balance beyond three months of spending: money sitting idle."""
        return max(self.avg_balance - 3 * self.monthly_spending, ZERO)


@dataclass
class Snapshot:
    today: date
    customers: list[CustomerInfo]
    products: list[ProductInfo]
    holdings: sparse.csr_matrix  # customers × products, 1 = holds
    customer_index: dict[int, int] = field(default_factory=dict)
    product_index: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.customer_index = {c.id: i for i, c in enumerate(self.customers)}
        self.product_index = {p.id: j for j, p in enumerate(self.products)}

    def held_by(self, row: int) -> set[int]:
        """Product columns held by customer row `row`."""
        return set(self.holdings.indices[self.holdings.indptr[row] : self.holdings.indptr[row + 1]])

    def with_holdings(self, holdings: sparse.csr_matrix) -> Snapshot:
        return Snapshot(self.today, self.customers, self.products, holdings)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def version_key(*, session: Session, now: datetime) -> str:
    """Changes whenever the data the model learns from changes (and every day)."""
    parts = [shanghai_today(now).isoformat()]
    for model in (Customer, Product, Holding, RiskAssessment):
        count, top = session.execute(select(func.count(model.id), func.max(model.id))).one()
        parts.append(f"{count}.{top or 0}")
    return "-".join(parts)


def load_snapshot(*, session: Session, now: datetime) -> Snapshot:
    today = shanghai_today(now)
    start = shanghai_day_start(today - timedelta(days=WINDOW_DAYS))
    end = shanghai_day_start(today + timedelta(days=1))

    customers = session.execute(
        select(
            Customer.id,
            Customer.birth_date,
            Customer.occupation,
            Customer.income_band,
            Customer.tier,
        ).order_by(Customer.id)
    ).all()
    savings: dict[int, Decimal] = defaultdict(lambda: ZERO)
    has_credit: set[int] = set()
    for customer_id, account_type, balance in session.execute(
        select(Account.customer_id, Account.account_type, Account.balance)
    ):
        if account_type == DEBIT_CARD:
            savings[customer_id] += balance
        else:
            has_credit.add(customer_id)

    amount = Transaction.amount
    spend_expr = case(
        (and_(amount < 0, Transaction.category.not_in(("还款", "理财"))), -amount), else_=0
    )
    flows = session.execute(
        select(
            Account.customer_id,
            type_coerce(func.sum(case((Transaction.category == "工资", amount), else_=0)), Money),
            type_coerce(func.sum(spend_expr), Money),
            func.sum(case((Transaction.counterparty.like("%房租%"), 1), else_=0)),
        )
        .join(Account, Account.id == Transaction.account_id)
        .where(Transaction.occurred_at >= start, Transaction.occurred_at < end)
        .group_by(Account.customer_id)
    ).all()
    flow_by_customer = {row[0]: row[1:] for row in flows}
    avg_balance: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for customer_id, average in session.execute(
        select(Account.customer_id, type_coerce(func.avg(Transaction.balance_after), Money))
        .join(Account, Account.id == Transaction.account_id)
        .where(
            Account.account_type == DEBIT_CARD,
            Transaction.occurred_at >= start,
            Transaction.occurred_at < end,
        )
        .group_by(Account.id, Account.customer_id)
    ):
        avg_balance[customer_id] += average or ZERO

    levels: dict[int, int] = {}
    for customer_id, level in session.execute(
        select(RiskAssessment.customer_id, RiskAssessment.risk_level)
        .where(RiskAssessment.expires_at > now)
        .order_by(RiskAssessment.customer_id, RiskAssessment.assessed_at, RiskAssessment.id)
    ):
        levels[customer_id] = level  # the latest one wins

    months = Decimal(WINDOW_DAYS) / 30
    infos = []
    for cid, birth, occupation, band, tier in customers:
        income, spending, rent = flow_by_customer.get(cid, (ZERO, ZERO, 0))
        infos.append(
            CustomerInfo(
                id=cid,
                age=age_on(birth, today),
                occupation=occupation,
                income_band=INCOME_BANDS.index(band) if band in INCOME_BANDS else 2,
                tier=TIERS.index(tier) if tier in TIERS else 0,
                monthly_income=(Decimal(income or 0) / months).quantize(Decimal("0.01")),
                monthly_spending=(Decimal(spending or 0) / months).quantize(Decimal("0.01")),
                avg_balance=avg_balance[cid] if cid in avg_balance else savings[cid],
                savings=savings[cid],
                has_credit_card=cid in has_credit,
                pays_rent=bool(rent),
                risk_level=levels.get(cid),
            )
        )
    products = [
        ProductInfo.from_product(p) for p in session.scalars(select(Product).order_by(Product.id))
    ]
    snapshot = Snapshot(today, infos, products, sparse.csr_matrix((len(infos), len(products))))
    rows, cols = [], []
    for customer_id, product_id in session.execute(
        select(Holding.customer_id, Holding.product_id).where(Holding.status == "active")
    ):
        if customer_id in snapshot.customer_index and product_id in snapshot.product_index:
            rows.append(snapshot.customer_index[customer_id])
            cols.append(snapshot.product_index[product_id])
    matrix = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(infos), len(products))
    )
    matrix.data[:] = 1.0  # duplicates collapse to "holds"
    return snapshot.with_holdings(matrix)
