"""The product catalogue, rate tables, holdings and the seeded products."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI
from crm_api.products.catalogue import CatalogueError, catalogue_rows, load_catalogue
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


# ---------------------------------------------------------------- the catalogue file

GOOD_ENTRY: dict[str, Any] = {
    "code": "T-1",
    "name": "测试理财",
    "product_type": "理财",
    "subtype": "固收类",
    "risk_level": 2,
    "term_days": 180,
    "min_amount": "10000",
    "rate": "2.60",
    "rate_kind": "benchmark",
    "min_age": 18,
    "target_customers": "稳健型客户",
    "features": "测试产品",
    "sale_status": "on_sale",
}


def write_catalogue(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    path = tmp_path / "catalogue.yml"
    path.write_text(yaml.safe_dump({"products": list(entries)}, allow_unicode=True), "utf-8")
    return path


def test_shipped_catalogue_loads_with_exact_decimals() -> None:
    products = load_catalogue()
    assert len(products) == 45
    assert len({p.code for p in products}) == 45
    rows = {row["code"]: row for row in catalogue_rows()}
    assert rows["TD-5Y"]["rate"] == Decimal("1.30") and rows["TD-5Y"]["term_days"] == 5 * 365
    assert rows["LN-MORT"]["max_amount"] == Decimal("10000000")
    assert rows["CC-STD"]["rate"] is None and rows["CC-STD"]["risk_level"] is None


def test_a_good_entry_loads(tmp_path: Path) -> None:
    (entry,) = load_catalogue(write_catalogue(tmp_path, GOOD_ENTRY))
    assert entry.rate == Decimal("2.60") and entry.max_amount is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # a required field left out
        ({"name": None}, "product 1 (T-1): name: Field required"),
        # rates and amounts cannot be negative
        ({"rate": "-0.50"}, "product 1 (T-1): rate: Input should be greater than or equal to 0"),
        ({"min_amount": "-1"}, "min_amount: Input should be greater than or equal to 0"),
        # risk levels are R1..R5
        ({"risk_level": 6}, "risk_level: unknown risk level 6; 1..5 for R1..R5"),
        ({"risk_level": "R3"}, "risk_level: Input should be a valid integer"),
        # the table's check constraints
        ({"product_type": "股票"}, "product_type: unknown product type '股票'"),
        ({"rate_kind": "floating"}, "rate_kind: unknown rate kind 'floating'"),
        ({"sale_status": "sold_out"}, "sale_status: unknown sale status 'sold_out'"),
        # an unquoted number would be a binary float
        ({"rate": 2.6}, 'rate: write it as a quoted string, e.g. "2.6"'),
        ({"rate": "abc"}, "rate: not a decimal number: 'abc'"),
        ({"rate": "2.12345"}, "rate: Decimal input should have no more than 4 decimal places"),
        # a misspelt field is not silently ignored
        ({"rates": "2.60"}, "rates: Extra inputs are not permitted"),
        # rows that would mislead the recommender or the loan calculator
        ({"risk_level": None}, "a 理财 product needs a risk_level (suitability)"),
        ({"rate": None}, 'a rate needs a rate_kind other than "none"'),
        ({"max_amount": "10"}, "max_amount is below min_amount"),
        ({"max_age": 17}, "max_age is below min_age"),
    ],
)
def test_a_malformed_entry_is_rejected_with_the_product_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    # None: the field is left out of the file
    entry = {key: value for key, value in {**GOOD_ENTRY, **change}.items() if value is not None}
    path = write_catalogue(tmp_path, {**GOOD_ENTRY, "code": "T-0"}, entry)
    with pytest.raises(CatalogueError) as rejected:
        load_catalogue(path)
    assert message.replace("product 1", "product 2") in str(rejected.value)
    assert "T-0" not in str(rejected.value)  # only the bad product is reported


def test_every_problem_is_reported_and_codes_are_unique(tmp_path: Path) -> None:
    path = write_catalogue(
        tmp_path, GOOD_ENTRY, {**GOOD_ENTRY, "rate": "-1"}, {**GOOD_ENTRY, "min_age": None}
    )
    with pytest.raises(CatalogueError) as rejected:
        load_catalogue(path)
    assert str(rejected.value).splitlines()[1:] == [
        "  product 2 (T-1): rate: Input should be greater than or equal to 0",
        "  product 3 (T-1): min_age: Input should be a valid integer",
    ]
    with pytest.raises(CatalogueError, match="product code T-1 is used twice"):
        load_catalogue(write_catalogue(tmp_path, GOOD_ENTRY, GOOD_ENTRY))


def test_a_file_that_is_not_a_catalogue_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yml"
    path.write_text("products: [\n", "utf-8")
    with pytest.raises(CatalogueError, match="catalogue.yml: not valid YAML"):
        load_catalogue(path)
    path.write_text("- code: T-1\n", "utf-8")
    with pytest.raises(CatalogueError, match="expected a top-level 'products:' list"):
        load_catalogue(path)


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
