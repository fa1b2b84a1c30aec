"""The product recommender: collaborative filtering blended with profile rules.

How a candidate product is scored for a customer (each part scaled to 0..1):

* **user-based CF** (scikit-learn `NearestNeighbors`, cosine): the customer's nearest
  neighbours in a standardised profile space (age, salary, spending, average balance,
  savings, income band, tier, risk level, occupation flags) plus their L2-normalised
  holdings row; score = similarity-weighted share of neighbours holding the product;
* **item-based CF**: cosine similarity between product columns of the binary holdings
  matrix; score = mean similarity to what the customer already holds;
* **profile fit**: transparent banking rules (idle cash → deposits/理财, risk level close
  to the customer's tolerance, life stage, salary for loans, spending for cards, the
  requested horizon and amount);
* **popularity**: share of customers holding it (a small prior, for cold starts).

`score = 0.35·user_cf + 0.25·item_cf + 0.30·fit + 0.10·popularity`. Only products that
pass the suitability rules are ever scored (see `suitability.py`). The fitted model is
cached per process under a version key that changes with the data (see `service.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler, normalize

from crm_api.recommendations.snapshot import CustomerInfo, ProductInfo, Snapshot

WEIGHTS = {"user_cf": 0.35, "item_cf": 0.25, "fit": 0.30, "popularity": 0.10}
NEIGHBOURS = 15
HOLDINGS_WEIGHT = 1.5  # how much what people hold counts next to who they are
SAVING_TYPES = ("定期存款", "大额存单", "理财", "基金")
MODEL_NAME = "knn-itemcf-profile-v1"

Scores = npt.NDArray[np.float64]  # one value per product column
Columns = npt.NDArray[np.intp]  # product column numbers (-1: none)


@dataclass(frozen=True)
class Request:
    """What the customer asked for (all optional)."""

    product_type: str | None = None
    amount: Decimal | None = None
    horizon_months: int | None = None


@dataclass
class Scored:
    product: ProductInfo
    score: float
    parts: dict[str, float]
    # (weight, reason key, values) of the profile rules that fired, strongest first
    fit_reasons: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)
    anchor: ProductInfo | None = None  # the held product most similar to this one


def customer_vector(c: CustomerInfo) -> list[float]:
    return [
        c.age,
        math.log1p(float(c.monthly_income)),
        math.log1p(float(c.monthly_spending)),
        math.log1p(float(c.avg_balance)),
        math.log1p(float(c.savings)),
        c.income_band,
        c.tier,
        c.risk_level or 0,
        float(c.has_credit_card),
        float(c.is_business_owner),
        float(c.is_retired),
        float(c.pays_rent),
    ]


class Recommender:
    """Fitted on a `Snapshot`; scores suitable candidates for one customer."""

    def __init__(self, snapshot: Snapshot, *, neighbours: int = NEIGHBOURS) -> None:
        self.snapshot = snapshot
        n_customers, n_products = snapshot.holdings.shape
        holdings = snapshot.holdings.toarray() if n_products else np.zeros((n_customers, 0))
        self.holdings = holdings
        profile = np.array([customer_vector(c) for c in snapshot.customers], dtype=float)
        if n_customers:
            profile = StandardScaler().fit_transform(profile)
            embedding = np.hstack([profile, HOLDINGS_WEIGHT * normalize(holdings)])
        else:
            embedding = np.zeros((0, profile.shape[1] if profile.ndim == 2 else 1))
        self.embedding = embedding
        self.k = min(neighbours, max(n_customers - 1, 0))
        self.knn = (
            NearestNeighbors(n_neighbors=self.k + 1, metric="cosine").fit(embedding)
            if self.k > 0
            else None
        )
        if n_products and n_customers:
            item_sim = cosine_similarity(holdings.T)
            np.fill_diagonal(item_sim, 0.0)
        else:
            item_sim = np.zeros((n_products, n_products))
        self.item_sim = item_sim
        self.popularity = holdings.mean(axis=0) if n_customers else np.zeros(n_products)

    # ---------------------------------------------------------------- parts

    def user_cf(self, row: int) -> Scores:
        if self.knn is None:
            return np.zeros(self.holdings.shape[1])
        distances, indices = self.knn.kneighbors(self.embedding[row : row + 1])
        pairs = [(i, 1.0 - d) for i, d in zip(indices[0], distances[0], strict=True) if i != row]
        pairs = pairs[: self.k]
        weights = np.array([max(s, 0.0) for _, s in pairs])
        if not len(pairs) or weights.sum() == 0:
            return np.zeros(self.holdings.shape[1])
        neighbours = self.holdings[[i for i, _ in pairs]]
        return np.asarray(weights @ neighbours / weights.sum())

    def item_cf(self, row: int) -> tuple[Scores, Columns]:
        """Mean similarity to held items, and for each item the most similar held item."""
        held = np.flatnonzero(self.holdings[row])
        n = self.holdings.shape[1]
        if not len(held):
            return np.zeros(n), np.full(n, -1)
        sims = self.item_sim[held]  # held × all
        return sims.mean(axis=0), held[sims.argmax(axis=0)]

    # ---------------------------------------------------------------- scoring

    def score(
        self, customer_id: int, candidates: list[ProductInfo], request: Request | None = None
    ) -> list[Scored]:
        """Candidates (already suitable, not yet held) ranked best first."""
        request = request or Request()
        row = self.snapshot.customer_index[customer_id]
        customer = self.snapshot.customers[row]
        user = self.user_cf(row)
        item, anchors = self.item_cf(row)
        cols = [self.snapshot.product_index[p.id] for p in candidates]
        parts_by_name = {
            "user_cf": _scaled(user[cols]) if cols else np.zeros(0),
            "item_cf": _scaled(item[cols]) if cols else np.zeros(0),
            "popularity": _scaled(self.popularity[cols]) if cols else np.zeros(0),
        }
        results = []
        for k, product in enumerate(candidates):
            fit, reasons = profile_fit(customer, product, request)
            parts = {name: float(values[k]) for name, values in parts_by_name.items()}
            parts["fit"] = fit
            total = sum(WEIGHTS[name] * value for name, value in parts.items())
            anchor_col = anchors[cols[k]]
            anchor = self.snapshot.products[anchor_col] if anchor_col >= 0 else None
            results.append(Scored(product, round(total, 6), parts, reasons, anchor))
        results.sort(key=lambda s: (-s.score, s.product.id))
        return results


def _scaled(values: Scores) -> Scores:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values, dtype=float)


def profile_fit(
    c: CustomerInfo, p: ProductInfo, request: Request
) -> tuple[float, list[tuple[float, str, dict[str, str]]]]:
    """How well the product fits the profile by plain banking rules (0..1) and why."""
    scores: list[float] = []
    reasons: list[tuple[float, str, dict[str, str]]] = []

    def rule(value: float, key: str | None = None, **values: str) -> None:
        scores.append(value)
        if key and value >= 0.6:
            reasons.append((value, key, values))

    if p.product_type in SAVING_TYPES:
        idle = float(c.idle_cash)
        need = max(float(p.min_amount) * 2, 30000.0)
        rule(min(idle / need, 1.0), "idle_cash", avg_balance=_wan(c.avg_balance))
    if p.is_investment and p.risk_level and c.risk_level:
        # closer to the tolerance is a better use of it; far below is still allowed
        rule(1.0 - (c.risk_level - p.risk_level) / 4, "risk_match")
    elif p.product_type in ("定期存款", "大额存单"):
        rule(0.9 if (c.risk_level or 1) <= 2 or c.is_retired else 0.5, "capital_safe")
    if c.is_retired:
        safe = (
            p.product_type in ("定期存款", "大额存单")
            or (p.is_investment and (p.risk_level or 5) <= 2)
            or p.subtype == "年金险"
        )
        rule(1.0 if safe else 0.2, "retired" if safe else None)
    if p.product_type == "贷款":
        salary = float(c.monthly_income)
        if p.subtype == "经营贷":
            rule(1.0 if c.is_business_owner else 0.1, "business_owner")
        elif p.subtype == "房贷":
            fits = c.pays_rent and 25 <= c.age <= 45 and salary >= 8000
            rule(0.9 if fits else 0.2, "renting" if fits else None)
        else:
            rule(min(salary / 15000, 1.0), "stable_salary", salary=_wan(c.monthly_income))
    if p.product_type == "信用卡":
        spending = float(c.monthly_spending)
        value = min(spending / 6000, 1.0) * (0.5 if c.has_credit_card else 1.0)
        rule(value, "spending", spending=_yuan(c.monthly_spending))
    if p.product_type == "保险" and p.subtype in ("重疾险", "医疗险"):
        rule(0.9 if 28 <= c.age <= 50 else 0.4, "family_protection")
    if request.horizon_months is not None and p.product_type in SAVING_TYPES:
        horizon_days = request.horizon_months * 30
        if p.term_days is None:
            rule(0.8, "liquid")
        elif p.term_days <= horizon_days + 5:
            rule(
                1.0 - 0.3 * (1 - p.term_days / max(horizon_days, 1)),
                "horizon",
                months=str(request.horizon_months),
            )
        else:
            rule(0.05)
    if request.amount is not None and p.product_type in SAVING_TYPES:
        rule(1.0, "amount_ok", amount=_wan(request.amount))
    reasons.sort(key=lambda r: -r[0])
    return (sum(scores) / len(scores) if scores else 0.5), reasons


def _wan(value: Decimal) -> str:
    """52380.45 → '5.2万'; 8000 → '8,000'."""
    amount = Decimal(value)
    if amount >= 10000:
        return f"{(amount / 10000).quantize(Decimal('0.1'))}万"
    return f"{amount.quantize(Decimal('1')):,}"


def _yuan(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('1')):,}"
