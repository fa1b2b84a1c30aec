"""The product catalogue, rate tables, holdings and the seeded products."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI
from crm_api.products.models import Holding, Product
from crm_api.products.schemas import term_label
from crm_api.risk.models import RiskAssessment
from crm_api.seed import seed
from tests.crm_api.conftest import T0, assert_error
from tests.crm_api.factories import CustomerFactory
from tests.crm_api.products_factories import HoldingFactory, ProductFactory

TODAY = date(2026, 11, 29)


def test_catalogue_lists_products_on_sale_with_rates_as_strings(client: TestClient) -> None:
    on_sale = ProductFactory(code="T-A", rate=Decimal("2.6"), min_amount=Decimal("10000"))
    ProductFactory(code="T-CLOSED", sale_status="closed")
    body = client.get("/api/v1/products", params={"product_type": "理财"}).json()
    codes = [p["code"] for p in body]
    assert "T-A" in codes and "T-CLOSED" not in codes
    item = next(p for p in body if p["code"] == on_sale.code)
    assert item["rate"] == "2.60"
    assert item["min_amount"] == "10000.00"
    assert item["risk_label"] == "R2 中低风险"
    assert item["is_investment"] is True
    assert item["term_label"] == "180天"
    with_closed = client.get("/api/v1/products", params={"include_closed": "true"}).json()
    assert "T-CLOSED" in [p["code"] for p in with_closed]


def test_catalogue_search_by_name(client: TestClient) -> None:
    ProductFactory(code="T-X", name="稳享90天特供")
    ProductFactory(code="T-Y", name="别的产品")
    codes = [p["code"] for p in client.get("/api/v1/products", params={"q": "稳享90"}).json()]
    assert codes == ["T-X"]


def test_product_detail_and_unknown_code(client: TestClient) -> None:
    ProductFactory(
        code="T-D", product_type="定期存款", risk_level=None, rate_kind="fixed", term_days=1095
    )
    body = client.get("/api/v1/products/T-D").json()
    assert body["term_label"] == "3年" and body["is_investment"] is False
    assert_error(client.get("/api/v1/products/NOPE"), 404, "product_not_found")


def test_rate_table_is_data_sorted_by_term(client: TestClient) -> None:
    for code, days, rate in (("T-5Y", 1825, "1.30"), ("T-3M", 90, "0.65"), ("T-1Y", 365, "0.95")):
        ProductFactory(
            code=code,
            product_type="定期存款",
            risk_level=None,
            rate_kind="fixed",
            term_days=days,
            rate=Decimal(rate),
        )
    rows = client.get("/api/v1/products/rates", params={"product_type": "定期存款"}).json()
    mine = [
        (r["product_code"], r["term_label"], r["rate"])
        for r in rows
        if r["product_code"].startswith("T-")
    ]
    assert mine == [("T-3M", "90天", "0.65"), ("T-1Y", "1年", "0.95"), ("T-5Y", "5年", "1.30")]
    assert rows[0]["rate_label"] == "年利率"


@pytest.mark.parametrize(
    ("days", "label"),
    [(None, "开放式"), (90, "90天"), (180, "180天"), (365, "1年"), (1825, "5年"), (45, "45天")],
)
def test_term_label(days: int | None, label: str) -> None:
    assert term_label(days) == label


def test_holdings_of_a_customer(client: TestClient) -> None:
    customer = CustomerFactory()
    product = ProductFactory(name="稳享180天测试")
    HoldingFactory(customer=customer, product=product, amount=Decimal("50000"))
    body = client.get(f"/api/v1/customers/{customer.id}/holdings").json()
    assert [(h["product_name"], h["amount"]) for h in body] == [("稳享180天测试", "50000.00")]
    assert_error(client.get("/api/v1/customers/999999/holdings"), 404, "customer_not_found")


def test_product_endpoints_need_the_service_token(anonymous_client: TestClient) -> None:
    assert_error(anonymous_client.get("/api/v1/products"), 401, "unauthorized")


# ---------------------------------------------------------------- seeded data


@pytest.fixture
def seeded(session: Session) -> Session:
    seed(session=session, customers=60, today=TODAY)
    return session


def test_seeded_catalogue_is_broad(seeded: Session) -> None:
    products = seeded.scalars(select(Product)).all()
    assert len(products) >= 40
    types = Counter(p.product_type for p in products)
    assert set(types) == {"定期存款", "大额存单", "理财", "基金", "贷款", "信用卡", "保险"}
    assert {p.risk_level for p in products if p.product_type in ("理财", "基金")} == {1, 2, 3, 4, 5}
    assert {p.subtype for p in products if p.product_type == "贷款"} >= {
        "房贷",
        "车贷",
        "消费贷",
        "经营贷",
    }
    assert any(p.sale_status == "closed" for p in products)


def test_demo_customers_assessments(seeded: Session) -> None:
    zhang = seeded.scalars(select(RiskAssessment).where(RiskAssessment.customer_id == 1)).all()
    assert [a.risk_level for a in zhang] == [3]
    assert zhang[0].expires_at > T0
    assert not seeded.scalars(select(RiskAssessment).where(RiskAssessment.customer_id == 2)).all()
    everyone = seeded.scalars(select(RiskAssessment)).all()
    assert len({a.customer_id for a in everyone}) > 40  # most customers have one


def test_seeded_holdings_respect_suitability(seeded: Session) -> None:
    levels = {a.customer_id: a.risk_level for a in seeded.scalars(select(RiskAssessment))}
    holdings = seeded.scalars(select(Holding)).all()
    assert len(holdings) > 120
    for holding in holdings:
        product = holding.product
        if product.is_investment:
            assert holding.customer_id in levels
            assert product.risk_level <= levels[holding.customer_id]


def test_seeding_products_is_deterministic(session: Session) -> None:
    seed(session=session, customers=20, today=TODAY)
    first = session.execute(
        select(Holding.customer_id, Product.code, Holding.amount).join(Product).order_by(Holding.id)
    ).all()
    from crm_api.seed import clear

    clear(session)
    seed(session=session, customers=20, today=TODAY)
    second = session.execute(
        select(Holding.customer_id, Product.code, Holding.amount).join(Product).order_by(Holding.id)
    ).all()
    assert first == second
    assert T0.astimezone(SHANGHAI).date() == TODAY
