"""Recommending suitable products, logging what was shown, and turning interest into leads."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.accounts.models import DEBIT_CARD, Account
from crm_api.clock import SHANGHAI, shanghai_today
from crm_api.customers.models import Customer
from crm_api.customers.service import get_customer
from crm_api.products.models import INVESTMENT_TYPES, Holding, Product
from crm_api.products.service import get_product
from crm_api.recommendations.errors import ProductNotSuitable, RecommendationNotFound
from crm_api.recommendations.models import Interest, RecommendationEvent, SalesLead
from crm_api.recommendations.reasons import explain
from crm_api.recommendations.recommender import MODEL_NAME, Recommender, Request
from crm_api.recommendations.snapshot import (
    ProductInfo,
    Snapshot,
    age_on,
    load_snapshot,
)
from crm_api.recommendations.suitability import SuitabilityProfile, Violation, violations
from crm_api.risk.errors import RiskAssessmentRequired
from crm_api.risk.models import RiskAssessment
from crm_api.risk.service import valid_assessment

# ---------------------------------------------------------------- model cache

_cache: dict[str, tuple[str, Recommender]] = {}
_cache_lock = threading.Lock()


def data_version(*, session: Session, now: datetime) -> str:
    """A key that changes whenever what the model learns from changes (and every day).

    A digest of customer, account-balance, product, holding and assessment rows: cheap
    (no transactions read), and exact, so a rolled-back test or a reseed never reuses
    a stale model. Transactions only move the key through balances and the date.
    """
    digest = hashlib.sha1(shanghai_today(now).isoformat().encode())
    queries = (
        select(Customer.id, Customer.birth_date).order_by(Customer.id),
        select(Account.id, Account.balance).order_by(Account.id),
        select(Product.id, Product.sale_status, Product.risk_level).order_by(Product.id),
        select(Holding.customer_id, Holding.product_id, Holding.status).order_by(Holding.id),
        select(RiskAssessment.id, RiskAssessment.risk_level, RiskAssessment.expires_at).order_by(
            RiskAssessment.id
        ),
    )
    for query in queries:
        for row in session.execute(query):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def get_recommender(*, session: Session, now: datetime) -> tuple[str, Recommender]:
    """The fitted model for the current data: trained on demand, cached per database."""
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    version = data_version(session=session, now=now)
    with _cache_lock:
        cached = _cache.get(database)
        if cached and cached[0] == version:
            return cached
    model = Recommender(load_snapshot(session=session, now=now))
    with _cache_lock:
        _cache[database] = (version, model)
    return version, model


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# ---------------------------------------------------------------- suitability


def suitability_profile(
    *, session: Session, customer: Customer, now: datetime
) -> SuitabilityProfile:
    assessment = valid_assessment(session=session, customer_id=customer.id, now=now)
    savings = session.scalar(
        select(func.coalesce(func.sum(Account.balance), 0)).where(
            Account.customer_id == customer.id, Account.account_type == DEBIT_CARD
        )
    )
    return SuitabilityProfile(
        age=age_on(customer.birth_date, shanghai_today(now)),
        risk_level=assessment.risk_level if assessment else None,
        savings=Decimal(savings or 0),
    )


def check_suitability(
    *,
    session: Session,
    customer_id: int,
    product_code: str,
    amount: Decimal | None,
    now: datetime,
) -> tuple[Product, list[Violation]]:
    customer = get_customer(session=session, customer_id=customer_id)
    product = get_product(session=session, code=product_code)
    profile = suitability_profile(session=session, customer=customer, now=now)
    return product, violations(product, profile, amount)


# ---------------------------------------------------------------- recommending


@dataclass
class RecommendedItem:
    event: RecommendationEvent
    product: Product
    score: float
    reasons: list[str]


@dataclass
class RecommendationResult:
    request_id: str
    model_version: str
    risk_level: int | None
    items: list[RecommendedItem]
    excluded: dict[str, int]


def candidates_for(
    snapshot: Snapshot, row: int, profile: SuitabilityProfile, request: Request
) -> tuple[list[ProductInfo], Counter[str]]:
    """Products that pass every suitability rule and are not held yet; and why others failed."""
    held = snapshot.held_by(row)
    excluded: Counter[str] = Counter()
    found = []
    for col, product in enumerate(snapshot.products):
        if request.product_type and product.product_type != request.product_type:
            continue
        if col in held or product.sale_status != "on_sale":
            continue
        problems = violations(product, profile, request.amount)
        if problems:
            excluded.update(v.code for v in problems)
            continue
        found.append(product)
    return found, excluded


def recommend(
    *,
    session: Session,
    customer_id: int,
    request: Request,
    limit: int,
    channel: str,
    now: datetime,
) -> RecommendationResult:
    customer = get_customer(session=session, customer_id=customer_id)
    profile = suitability_profile(session=session, customer=customer, now=now)
    if request.product_type in INVESTMENT_TYPES and profile.risk_level is None:
        raise RiskAssessmentRequired()
    version, model = get_recommender(session=session, now=now)
    row = model.snapshot.customer_index[customer_id]
    info = model.snapshot.customers[row]
    candidates, excluded = candidates_for(model.snapshot, row, profile, request)
    ranked = model.score(customer_id, candidates, request)[:limit]
    request_id = uuid.uuid4().hex
    context = {
        "product_type": request.product_type,
        "amount": str(request.amount) if request.amount is not None else None,
        "horizon_months": request.horizon_months,
    }
    products = {
        p.id: p
        for p in session.scalars(
            select(Product).where(Product.id.in_([s.product.id for s in ranked]))
        )
    }
    items = []
    for rank, scored in enumerate(ranked, start=1):
        reasons = explain(scored, info)
        event = RecommendationEvent(
            request_id=request_id,
            customer_id=customer_id,
            product_id=scored.product.id,
            rank=rank,
            score=scored.score,
            reasons=reasons,
            context=context,
            model_version=f"{MODEL_NAME}@{version}",
            channel=channel,
            created_at=now,
        )
        session.add(event)
        items.append(RecommendedItem(event, products[scored.product.id], scored.score, reasons))
    session.flush()
    return RecommendationResult(
        request_id, f"{MODEL_NAME}@{version}", profile.risk_level, items, dict(excluded)
    )


def record_interest(
    *, session: Session, customer_id: int, recommendation_id: int, interest: Interest, now: datetime
) -> RecommendationEvent:
    event = session.get(RecommendationEvent, recommendation_id)
    if event is None or event.customer_id != customer_id:
        raise RecommendationNotFound()
    # a registered interest is not downgraded by a later "viewed details"
    if not (event.interest == "interested" and interest == "viewed_details"):
        event.interest = interest
        event.interest_at = now
    session.flush()
    return event


def create_lead(
    *,
    session: Session,
    customer_id: int,
    product_code: str,
    amount: Decimal | None,
    recommendation_id: int | None,
    channel: str,
    note: str | None,
    now: datetime,
) -> tuple[SalesLead, bool]:
    """An open lead for a relationship manager; (lead, created). Unsuitable → refused."""
    product, problems = check_suitability(
        session=session,
        customer_id=customer_id,
        product_code=product_code,
        amount=amount,
        now=now,
    )
    if problems:
        raise ProductNotSuitable(
            violations=[{"code": v.code, "detail": v.detail} for v in problems]
        )
    if recommendation_id is not None:
        record_interest(
            session=session,
            customer_id=customer_id,
            recommendation_id=recommendation_id,
            interest="interested",
            now=now,
        )
    existing = session.scalars(
        select(SalesLead)
        .where(
            SalesLead.customer_id == customer_id,
            SalesLead.product_id == product.id,
            SalesLead.status.in_(("new", "contacted")),
        )
        .order_by(SalesLead.id)
    ).first()
    if existing is not None:
        return existing, False
    lead = SalesLead(
        customer_id=customer_id,
        product_id=product.id,
        recommendation_id=recommendation_id,
        amount=amount,
        channel=channel,
        note=note,
        status="new",
        created_at=now,
    )
    session.add(lead)
    session.flush()
    lead.reference = f"XS{now.astimezone(SHANGHAI):%Y%m%d}{lead.id:06d}"
    session.flush()
    return lead, True
