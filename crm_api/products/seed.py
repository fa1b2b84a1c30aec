"""Deterministic demo data for products: the catalogue, risk assessments and holdings.

Holdings follow the customers' profiles so the recommender has something to learn:
each customer belongs to a "taste" segment derived from age, income, savings and
occupation (retired savers, young digital customers, families, the affluent, business
owners); each segment prefers particular products (not just product types), and every
holding respects the suitability rules at the time it was bought. Risk assessments are
answer sheets generated from the profile and scored by the real questionnaire.

张伟 (customer 1) has a valid C3 稳健型 assessment; 李娜 (customer 2) has none, so the
chat demo shows the questionnaire.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI, UTC, utc_now
from crm_api.customers.models import INCOME_BANDS
from crm_api.customers.seed import CustomerRow
from crm_api.products.catalogue import catalogue_rows
from crm_api.products.models import INVESTMENT_TYPES, Holding, Product
from crm_api.recommendations.models import RecommendationEvent, SalesLead
from crm_api.risk.models import RiskAssessment
from crm_api.risk.questionnaire import QUESTIONNAIRE_VERSION, VALIDITY_DAYS, score_answers

SEED = 20261205
# other financial assets (outside the cards) by income band, for what a customer can afford
OTHER_ASSETS = (10_000, 40_000, 100_000, 250_000, 800_000, 3_000_000)
ZHANG_WEI_ANSWERS = {
    "q1": "B",
    "q2": "C",
    "q3": "C",
    "q4": "C",
    "q5": "C",
    "q6": "B",
    "q7": "C",
    "q8": "C",
    "q9": "C",
    "q10": "B",
}  # → C3 稳健型

# product codes each segment favours (weight 1.0 for the first, decreasing)
SEGMENT_TASTES: dict[str, list[str]] = {
    "retired": [
        "TD-3Y",
        "CD-3Y-SR",
        "TD-5Y",
        "WM-R2-PEN",
        "IN-ANN",
        "WM-R2-365",
        "CD-3Y",
        "TD-1Y",
        "WM-CASH",
        "IN-ACC",
        "FD-BOND",
        "IN-PAR",
    ],
    "young": [
        "FD-MMF",
        "CC-YOUTH",
        "WM-CASH",
        "FD-CSI300",
        "IN-MED",
        "LN-CONS",
        "TD-LC-1Y",
        "FD-BAL",
        "FD-TECH",
        "TD-3M",
        "FD-SBOND",
        "IN-ACC",
    ],
    "family": [
        "LN-MORT",
        "IN-CI",
        "WM-R2-180",
        "TD-1Y",
        "CC-STD",
        "LN-CAR",
        "FD-SBOND",
        "IN-MED",
        "WM-R2-90",
        "CC-CAR",
        "LN-RENO",
        "FD-BAL",
    ],
    "affluent": [
        "CD-3Y",
        "WM-R3-365",
        "FD-GROWTH",
        "CC-PLAT",
        "CD-1Y",
        "WM-R4-EQ",
        "IN-PAR",
        "WM-R3-730",
        "FD-QDII",
        "IN-ULI",
        "CC-TRAVEL",
        "LN-MORT2",
    ],
    "business": [
        "LN-BIZ",
        "WM-CASH",
        "CC-TRAVEL",
        "CD-1Y",
        "WM-R2-90",
        "FD-MMF",
        "CC-PLAT",
        "WM-R3-365",
        "IN-CI",
        "LN-CAR",
        "TD-6M",
        "FD-GROWTH",
    ],
}


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def segment(*, age: int, band: int, occupation: str, wealth: float) -> str:
    if occupation in ("企业主", "个体工商户"):
        return "business"
    if occupation == "退休人员" or age >= 58:
        return "retired"
    if band >= 4 or wealth >= 600_000:
        return "affluent"
    if age < 32:
        return "young"
    return "family"


def answer_sheet(
    rng: random.Random, *, age: int, band: int, wealth: float, appetite: float
) -> dict[str, str]:
    """Plausible answers for a profile; `appetite` 0..1 is the customer's risk taste."""

    def pick(options: str, position: float) -> str:
        index = round(max(0.0, min(1.0, position + rng.gauss(0, 0.12))) * (len(options) - 1))
        return options[index]

    age_key = "ABCDE"[sum(age > bound for bound in (30, 45, 55, 65))]
    income_key = "ABCDE"[min(4, max(0, band - 1))]
    assets_key = (
        "A"
        if wealth < 50_000
        else "B"
        if wealth < 200_000
        else "C"
        if wealth < 500_000
        else "D"
        if wealth < 3_000_000
        else "E"
    )
    return {
        "q1": age_key,
        "q2": income_key,
        "q3": assets_key,
        "q4": pick("ABCDE", appetite * 0.8 + band * 0.04),
        "q5": pick("ABCDE", appetite),
        "q6": pick("ABCD", appetite * 0.7 + 0.15),
        "q7": pick("ABCDE", appetite),
        "q8": pick("ABCDE", appetite * 0.9 + 0.05),
        "q9": pick("ABCD", appetite),
        "q10": pick("ABC", 0.4 + appetite * 0.4),
    }


def _can_hold(product: dict[str, Any], *, age: int, level: int | None, wealth: float) -> bool:
    if age < product["min_age"] or (product["max_age"] is not None and age > product["max_age"]):
        return False
    investment = product["product_type"] in INVESTMENT_TYPES or (
        product["product_type"] == "保险" and product["risk_level"] is not None
    )
    if investment and (level is None or product["risk_level"] > level):
        return False
    if product["product_type"] in ("贷款", "信用卡"):
        return True
    return float(product["min_amount"]) <= wealth


def _holding_amount(rng: random.Random, product: dict[str, Any], wealth: float) -> Decimal:
    low = max(float(product["min_amount"]), 1000.0)
    if product["product_type"] == "贷款":
        high = float(product["max_amount"] or low * 10)
        amount = rng.uniform(low, min(high, low * 20))
    elif product["product_type"] == "信用卡":
        return Decimal("0.00")
    else:
        amount = rng.uniform(low, max(low, wealth * 0.4))
    return Decimal(int(amount // 1000 * 1000 or low)).quantize(Decimal("0.01"))


def seed_products(
    *,
    session: Session,
    customers: Sequence[CustomerRow],
    accounts: list[dict[str, Any]],
    today: date | None = None,
    seed: int = SEED,
) -> dict[str, int]:
    """Insert catalogue, assessments and holdings for the seeded customers (caller commits)."""
    today = today or utc_now().astimezone(SHANGHAI).date()
    for model in (SalesLead, RecommendationEvent, Holding, RiskAssessment, Product):
        session.execute(delete(model))
    catalogue = catalogue_rows()
    products = [Product(**row) for row in catalogue]
    session.add_all(products)
    session.flush()
    by_code = {p.code: p for p in products}
    rng = random.Random(seed)

    savings: dict[int, float] = defaultdict(float)
    has_credit: set[int] = set()
    for account in accounts:
        if account["account_type"] == "储蓄卡":
            savings[account["customer_id"]] += float(account.get("balance") or 0)
        else:
            has_credit.add(account["customer_id"])

    assessment_rows: list[dict[str, Any]] = []
    holding_rows: list[dict[str, Any]] = []
    for customer in customers:
        cid = customer["id"]
        age = _age(customer["birth_date"], today)
        band = INCOME_BANDS.index(customer["income_band"])
        wealth = savings[cid] + OTHER_ASSETS[band]
        taste = segment(age=age, band=band, occupation=customer["occupation"], wealth=wealth)
        appetite = {
            "retired": 0.15,
            "young": 0.6,
            "family": 0.35,
            "affluent": 0.65,
            "business": 0.55,
        }[taste]
        appetite = max(0.0, min(1.0, rng.gauss(appetite, 0.18)))

        # risk assessment: valid, expired or none
        level: int | None = None
        roll = rng.random()
        if cid == 1:
            answers, assessed_on = ZHANG_WEI_ANSWERS, today - timedelta(days=100)
        elif cid == 2 or roll < 0.12:
            answers, assessed_on = None, None
        else:
            answers = answer_sheet(rng, age=age, band=band, wealth=wealth, appetite=appetite)
            days_ago = rng.randint(400, 700) if roll < 0.20 else rng.randint(5, 330)
            assessed_on = today - timedelta(days=days_ago)
        if answers is not None and assessed_on is not None:
            score, level = score_answers(answers)
            assessed_at = datetime.combine(assessed_on, time(10, 30), SHANGHAI).astimezone(UTC)
            assessment_rows.append(
                {
                    "customer_id": cid,
                    "questionnaire_version": QUESTIONNAIRE_VERSION,
                    "answers": answers,
                    "score": score,
                    "risk_level": level,
                    "channel": rng.choice(["branch", "app", "web"]),
                    "assessed_at": assessed_at,
                    "expires_at": assessed_at + timedelta(days=VALIDITY_DAYS),
                }
            )

        # holdings: mostly from the segment's favourites, a little from anywhere
        tastes = SEGMENT_TASTES[taste]
        weights: dict[str, float] = {p["code"]: 0.04 for p in catalogue}
        for rank, code in enumerate(tastes):
            weights[code] = 1.0 / (1 + 0.35 * rank)
        feasible = [
            p
            for p in catalogue
            if p["product_type"] != "信用卡" and _can_hold(p, age=age, level=level, wealth=wealth)
        ]
        count = min(len(feasible), rng.choice([2, 3, 3, 4, 4, 5, 6]) if cid != 2 else 1)
        chosen: list[dict[str, Any]] = []
        pool = list(feasible)
        while pool and len(chosen) < count:
            pick = rng.choices(pool, [weights[p["code"]] ** 2 for p in pool])[0]
            pool.remove(pick)
            chosen.append(pick)
        if cid in has_credit:
            cards = [
                p
                for p in catalogue
                if p["product_type"] == "信用卡"
                and _can_hold(p, age=age, level=level, wealth=wealth)
            ]
            if cards:
                chosen.append(rng.choices(cards, [weights[p["code"]] ** 2 for p in cards])[0])
        for product in chosen:
            holding_rows.append(
                {
                    "customer_id": cid,
                    "product_id": by_code[product["code"]].id,
                    "amount": _holding_amount(rng, product, wealth),
                    "started_on": today - timedelta(days=rng.randint(10, 700)),
                    "status": "active",
                }
            )

    if assessment_rows:
        session.execute(insert(RiskAssessment), assessment_rows)
    if holding_rows:
        session.execute(insert(Holding), holding_rows)
    session.flush()
    return {
        "products": len(products),
        "risk_assessments": len(assessment_rows),
        "holdings": len(holding_rows),
    }
