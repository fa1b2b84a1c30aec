"""Suitability rules, the recommender, reasons, the recommendation log and sales leads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.products.models import PRODUCT_TYPES
from crm_api.recommendations import service
from crm_api.recommendations.models import RecommendationEvent, SalesLead
from crm_api.recommendations.reasons import explain
from crm_api.recommendations.recommender import Recommender, Request, profile_fit
from crm_api.recommendations.service import candidates_for
from crm_api.recommendations.snapshot import CustomerInfo, ProductInfo, Snapshot
from crm_api.recommendations.suitability import SuitabilityProfile, violations
from crm_api.seed import seed
from tests.crm_api.conftest import T0, FakeClock, assert_error
from tests.crm_api.factories import AccountFactory, CustomerFactory
from tests.crm_api.products_factories import (
    HoldingFactory,
    ProductFactory,
    RiskAssessmentFactory,
)

TODAY = date(2026, 11, 29)
D = Decimal


def product(**overrides: object) -> ProductInfo:
    values: dict[str, object] = dict(
        id=1,
        code="P1",
        name="稳享180天",
        product_type="理财",
        subtype="固收类",
        risk_level=2,
        term_days=180,
        min_amount=D(10000),
        max_amount=None,
        rate=D("2.6"),
        min_age=18,
        max_age=None,
        sale_status="on_sale",
    )
    values.update(overrides)
    return ProductInfo(**values)  # type: ignore[arg-type]


def customer(**overrides: object) -> CustomerInfo:
    values: dict[str, object] = dict(
        id=1,
        age=38,
        occupation="软件工程师",
        income_band=3,
        tier=1,
        monthly_income=D("21500"),
        monthly_spending=D("9000"),
        avg_balance=D("80000"),
        savings=D("52380.45"),
        has_credit_card=True,
        pays_rent=True,
        risk_level=3,
    )
    values.update(overrides)
    return CustomerInfo(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------- suitability rules

C3 = SuitabilityProfile(age=38, risk_level=3, savings=D("50000"))


@pytest.mark.parametrize(
    ("item", "profile", "amount", "codes"),
    [
        (product(), C3, None, []),  # R2 for a C3 with enough savings: fine
        (product(risk_level=4), C3, None, ["risk_level_exceeded"]),  # above the level
        (
            product(),
            SuitabilityProfile(38, None, D("50000")),
            None,
            ["risk_assessment_required"],
        ),  # no valid assessment: no investment at all
        (
            product(product_type="定期存款", risk_level=None),
            SuitabilityProfile(38, None, D(900000)),
            None,
            [],
        ),  # deposits need no assessment
        (product(sale_status="closed"), C3, None, ["sale_closed"]),
        (product(min_age=50), C3, None, ["age_not_eligible"]),  # 养老专享
        (product(max_age=30), C3, None, ["age_not_eligible"]),  # 青春卡-style upper limit
        (product(min_amount=D(200000)), C3, None, ["insufficient_funds"]),  # 大额存单
        (product(min_amount=D(200000)), C3, D(300000), []),  # names an amount above the minimum
        (product(), C3, D(5000), ["below_minimum"]),
        (
            product(
                product_type="贷款", risk_level=None, min_amount=D(30000), max_amount=D(500000)
            ),
            C3,
            D(800000),
            ["amount_out_of_range"],
        ),
        (
            product(
                product_type="贷款", risk_level=None, min_amount=D(30000), max_amount=D(500000)
            ),
            C3,
            None,
            [],
        ),  # a loan needs no savings
        (
            product(product_type="保险", subtype="投连险", risk_level=4),
            C3,
            None,
            ["risk_level_exceeded"],
        ),  # investment-linked insurance is an investment
    ],
)
def test_suitability_rules(
    item: ProductInfo, profile: SuitabilityProfile, amount: Decimal | None, codes: list[str]
) -> None:
    assert [v.code for v in violations(item, profile, amount)] == codes


products_strategy = st.lists(
    st.builds(
        lambda i, kind, risk, term, minimum, status, min_age: product(
            id=i,
            code=f"P{i}",
            name=f"产品{i}",
            product_type=kind,
            risk_level=risk if kind in ("理财", "基金") else None,
            term_days=term,
            min_amount=D(minimum),
            sale_status=status,
            min_age=min_age,
        ),
        st.integers(),
        st.sampled_from(PRODUCT_TYPES),
        st.integers(1, 5),
        st.one_of(st.none(), st.integers(1, 3650)),
        st.integers(0, 300000),
        st.sampled_from(["on_sale", "on_sale", "closed"]),
        st.sampled_from([18, 18, 50]),
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda p: p.id,
)
customers_strategy = st.lists(
    st.builds(
        lambda age, level, savings, income, spend: customer(
            age=age,
            risk_level=level,
            savings=D(savings),
            avg_balance=D(savings),
            monthly_income=D(income),
            monthly_spending=D(spend),
        ),
        st.integers(18, 90),
        st.one_of(st.none(), st.integers(1, 5)),
        st.integers(0, 2_000_000),
        st.integers(0, 100_000),
        st.integers(0, 50_000),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(products_strategy, customers_strategy, st.data())
def test_no_recommendation_ever_breaks_suitability(
    products: list[ProductInfo], people: list[CustomerInfo], data: st.DataObject
) -> None:
    people = [CustomerInfo(**{**c.__dict__, "id": i + 1}) for i, c in enumerate(people)]
    holdings = data.draw(
        st.lists(
            st.lists(st.booleans(), min_size=len(products), max_size=len(products)),
            min_size=len(people),
            max_size=len(people),
        )
    )
    matrix = sparse.csr_matrix(np.array(holdings, dtype=float).reshape(len(people), -1))
    snapshot = Snapshot(TODAY, people, products, matrix)
    model = Recommender(snapshot)
    amount = data.draw(st.one_of(st.none(), st.integers(1, 500000).map(D)))
    for row, person in enumerate(people):
        profile = SuitabilityProfile(person.age, person.risk_level, person.savings)
        candidates, _ = candidates_for(snapshot, row, profile, Request(amount=amount))
        for scored in model.score(person.id, candidates, Request(amount=amount))[:5]:
            item = scored.product
            assert not violations(item, profile, amount)
            if item.is_investment:
                assert person.risk_level is not None
                assert item.risk_level is not None and item.risk_level <= person.risk_level
            assert item.sale_status == "on_sale"
            assert snapshot.product_index[item.id] not in snapshot.held_by(row)


# ---------------------------------------------------------------- scoring and reasons


def test_item_cf_ranks_what_holders_of_the_same_product_hold() -> None:
    a, b, c = (
        product(id=i, code=f"P{i}", name=n, risk_level=1, min_amount=D(1))
        for i, n in ((1, "天天利"), (2, "稳享90天"), (3, "稳享一年"))
    )
    # little idle cash, so the collaborative reasons are the strongest ones
    people = [customer(id=i, avg_balance=D("5000")) for i in range(1, 7)]
    # customers 2–5 hold A and B; customer 6 holds C; customer 1 holds only A
    rows = [[1, 0, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0], [0, 0, 1]]
    snapshot = Snapshot(TODAY, people, [a, b, c], sparse.csr_matrix(np.array(rows, float)))
    ranked = Recommender(snapshot).score(1, [b, c])
    assert [s.product.code for s in ranked] == ["P2", "P3"]
    assert ranked[0].parts["item_cf"] == 1.0 and ranked[0].anchor == a
    reasons = explain(ranked[0], people[0])
    assert "持有「天天利」的客户也常配置这款产品" in reasons
    assert any("稳健型" in r for r in reasons)  # the suitability match is always said


def test_idle_cash_and_horizon_make_the_reasons() -> None:
    rich = customer(avg_balance=D("300000"), monthly_spending=D("8000"))
    fit, reasons = profile_fit(rich, product(), Request(horizon_months=12))
    keys = [key for _, key, _ in reasons]
    assert "idle_cash" in keys and "horizon" in keys and fit > 0.7
    poor = customer(avg_balance=D("5000"), monthly_spending=D("8000"))
    poor_fit, poor_reasons = profile_fit(poor, product(), Request(horizon_months=12))
    assert poor_fit < fit and "idle_cash" not in [k for _, k, _ in poor_reasons]
    # a term longer than the horizon is nearly ruled out
    long_fit, _ = profile_fit(rich, product(term_days=1825), Request(horizon_months=6))
    assert long_fit < fit


# ---------------------------------------------------------------- API on seeded data


@pytest.fixture
def seeded(session: Session) -> Session:
    seed(session=session, customers=60, today=TODAY)
    return session


def test_zhang_wei_gets_three_suitable_products_with_reasons(
    seeded: Session, client: TestClient
) -> None:
    response = client.post("/api/v1/customers/1/recommendations", json={"channel": "app"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["risk_assessment_valid"] is True and body["risk_label"] == "稳健型"
    assert len(body["items"]) == 3
    held = {h["product_code"] for h in client.get("/api/v1/customers/1/holdings").json()}
    for item in body["items"]:
        assert item["reasons"] and all(
            any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in item["reasons"]
        )
        assert item["product"]["code"] not in held
        if item["product"]["is_investment"]:
            assert item["product"]["risk_level"] <= 3
            assert item["risk_disclosure"] == "理财非存款、产品有风险、投资须谨慎"
        else:
            assert item["risk_disclosure"] is None
    logged = seeded.scalars(
        select(RecommendationEvent).where(RecommendationEvent.request_id == body["request_id"])
    ).all()
    assert sorted(e.rank for e in logged) == [1, 2, 3]
    assert all(e.channel == "app" and e.customer_id == 1 for e in logged)


def test_requested_type_amount_and_horizon_are_used(seeded: Session, client: TestClient) -> None:
    body = client.post(
        "/api/v1/customers/1/recommendations",
        json={"product_type": "理财", "amount": "50000", "horizon_months": 12},
    ).json()
    assert body["items"] and all(i["product"]["product_type"] == "理财" for i in body["items"])
    for item in body["items"]:
        assert Decimal(item["product"]["min_amount"]) <= 50000
        assert item["product"]["risk_level"] <= 3


def test_investment_without_assessment_is_refused_then_allowed(
    seeded: Session, client: TestClient
) -> None:
    # 李娜 has never taken the questionnaire
    refused = client.post("/api/v1/customers/2/recommendations", json={"product_type": "基金"})
    assert_error(refused, 409, "risk_assessment_required")
    general = client.post("/api/v1/customers/2/recommendations", json={}).json()
    assert general["risk_assessment_valid"] is False
    assert all(not i["product"]["is_investment"] for i in general["items"])
    assert general["excluded"]["risk_assessment_required"] > 0
    answers = {
        "q1": "B",
        "q2": "B",
        "q3": "B",
        "q4": "B",
        "q5": "B",
        "q6": "A",
        "q7": "B",
        "q8": "B",
        "q9": "B",
        "q10": "B",
    }
    assert (
        client.post("/api/v1/customers/2/risk-assessments", json={"answers": answers}).json()[
            "risk_code"
        ]
        == "C2"
    )
    funds = client.post("/api/v1/customers/2/recommendations", json={"product_type": "基金"})
    assert funds.status_code == 200
    assert funds.json()["items"] and all(
        i["product"]["risk_level"] <= 2 for i in funds.json()["items"]
    )


def test_recommendations_never_exceed_the_level_for_any_seeded_customer(
    seeded: Session, client: TestClient
) -> None:
    levels = {c: None for c in range(1, 61)}
    for cid in levels:
        current = client.get(f"/api/v1/customers/{cid}/risk-assessments/current")
        levels[cid] = current.json()["risk_level"] if current.status_code == 200 else None
    for cid, level in levels.items():
        body = client.post(f"/api/v1/customers/{cid}/recommendations", json={"limit": 10}).json()
        for item in body["items"]:
            if item["product"]["is_investment"]:
                assert level is not None and item["product"]["risk_level"] <= level


def test_interest_becomes_one_lead_for_a_relationship_manager(
    seeded: Session, client: TestClient
) -> None:
    body = client.post("/api/v1/customers/1/recommendations", json={}).json()
    first = body["items"][0]
    payload = {
        "product_code": first["product"]["code"],
        "recommendation_id": first["recommendation_id"],
        "channel": "web",
    }
    created = client.post("/api/v1/customers/1/leads", json=payload)
    assert created.status_code == 201, created.text
    lead = created.json()
    assert lead["reference"].startswith("XS20261129") and lead["status"] == "new"
    assert lead["already_exists"] is False
    again = client.post("/api/v1/customers/1/leads", json=payload)
    assert again.status_code == 200 and again.json()["already_exists"] is True
    assert again.json()["reference"] == lead["reference"]
    event = seeded.get(RecommendationEvent, first["recommendation_id"])
    assert event is not None and event.interest == "interested"
    assert len(seeded.scalars(select(SalesLead).where(SalesLead.customer_id == 1)).all()) == 1


def test_a_lead_for_an_unsuitable_product_is_refused(seeded: Session, client: TestClient) -> None:
    refused = client.post("/api/v1/customers/1/leads", json={"product_code": "FD-TECH"})
    body = assert_error(refused, 409, "product_not_suitable")
    assert [v["code"] for v in body["violations"]] == ["risk_level_exceeded"]
    check = client.post("/api/v1/customers/1/suitability", json={"product_code": "FD-TECH"})
    assert check.json()["suitable"] is False
    ok = client.post("/api/v1/customers/1/suitability", json={"product_code": "TD-1Y"})
    assert ok.json() == {"product_code": "TD-1Y", "suitable": True, "violations": []}


def test_interest_feedback_and_other_customers_recommendations(
    seeded: Session, client: TestClient
) -> None:
    item = client.post("/api/v1/customers/1/recommendations", json={}).json()["items"][0]
    url = f"/api/v1/customers/1/recommendations/{item['recommendation_id']}/interest"
    assert client.post(url, json={"interest": "viewed_details"}).json()["interest"] == (
        "viewed_details"
    )
    other = f"/api/v1/customers/3/recommendations/{item['recommendation_id']}/interest"
    assert_error(
        client.post(other, json={"interest": "interested"}), 404, "recommendation_not_found"
    )


# ---------------------------------------------------------------- the model cache


def test_model_is_cached_until_the_data_changes(session: Session, clock: FakeClock) -> None:
    service.clear_cache()
    person = CustomerFactory(birth_date=date(1990, 1, 1))
    AccountFactory(customer=person, balance=D("80000"))
    RiskAssessmentFactory(customer_id=person.id, risk_level=3)
    ProductFactory(code="T-CACHE", min_amount=D(1000))
    first_version, first = service.get_recommender(session=session, now=T0)
    assert service.get_recommender(session=session, now=T0)[1] is first
    HoldingFactory(customer=person, product=ProductFactory(code="T-CACHE2"))
    second_version, second = service.get_recommender(session=session, now=T0)
    assert second is not first and second_version != first_version
    clock.advance(86400)
    assert service.get_recommender(session=session, now=clock())[1] is not second
