"""Suitability (适当性) rules: what a customer may be offered at all. Pure functions.

These are hard rules, applied in the CRM before anything is ranked, and again when a
customer registers interest:

* no investment product (理财, 基金, investment-linked 保险) without a valid risk assessment;
* no investment product above the customer's risk level (R-level ≤ C-level);
* nothing outside the product's age limits, nothing not on sale;
* nothing whose minimum the customer cannot meet (the amount they named, or their
  current savings when they named none); loans only within their amount range.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

NO_MINIMUM_TYPES = ("贷款", "信用卡")  # a minimum there is a loan size, not money to bring


class ProductLike(Protocol):
    """A catalogue `Product` row or a detached `ProductInfo` (read-only view)."""

    @property
    def product_type(self) -> str: ...
    @property
    def risk_level(self) -> int | None: ...
    @property
    def sale_status(self) -> str: ...
    @property
    def min_age(self) -> int: ...
    @property
    def max_age(self) -> int | None: ...
    @property
    def min_amount(self) -> Decimal: ...
    @property
    def max_amount(self) -> Decimal | None: ...
    @property
    def is_investment(self) -> bool: ...


@dataclass(frozen=True)
class SuitabilityProfile:
    """What the rules need to know about a customer."""

    age: int
    risk_level: int | None  # level of the valid assessment; None = none or expired
    savings: Decimal  # current 储蓄卡 balances


ViolationCode = Literal[
    "sale_closed",
    "risk_assessment_required",
    "risk_level_exceeded",
    "age_not_eligible",
    "amount_out_of_range",
    "below_minimum",
    "insufficient_funds",
]


@dataclass(frozen=True)
class Violation:
    code: ViolationCode
    detail: str


def violations(
    product: ProductLike, customer: SuitabilityProfile, amount: Decimal | None = None
) -> list[Violation]:
    """Every rule `product` breaks for `customer` (empty: it may be offered)."""
    found: list[Violation] = []
    if product.sale_status != "on_sale":
        found.append(Violation("sale_closed", "产品当前不在销售期"))
    if product.is_investment:
        if customer.risk_level is None:
            found.append(Violation("risk_assessment_required", "需先完成有效的风险测评"))
        elif product.risk_level is None or product.risk_level > customer.risk_level:
            found.append(Violation("risk_level_exceeded", "产品风险等级高于客户的风险承受能力"))
    if customer.age < product.min_age or (
        product.max_age is not None and customer.age > product.max_age
    ):
        found.append(Violation("age_not_eligible", "客户年龄不符合产品要求"))
    if product.product_type in NO_MINIMUM_TYPES:
        if amount is not None and (
            amount < product.min_amount
            or (product.max_amount is not None and amount > product.max_amount)
        ):
            found.append(Violation("amount_out_of_range", "申请金额不在产品额度范围内"))
    elif amount is not None:
        if amount < product.min_amount:
            found.append(Violation("below_minimum", "金额低于产品起购金额"))
    elif customer.savings < product.min_amount:
        found.append(Violation("insufficient_funds", "客户现有存款不足产品起购金额"))
    return found


def is_suitable(
    product: ProductLike, customer: SuitabilityProfile, amount: Decimal | None = None
) -> bool:
    return not violations(product, customer, amount)
