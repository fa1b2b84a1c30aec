"""factory-boy factories for products, holdings and risk assessments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from crm_api.products.models import Holding, Product
from crm_api.risk.models import RiskAssessment
from tests.crm_api.conftest import T0
from tests.crm_api.factories import CustomerFactory, _Base


class ProductFactory(_Base):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name = factory.Sequence(lambda n: f"测试理财{n}号")
    product_type = "理财"
    subtype = "固收类"
    risk_level = 2
    term_days = 180
    max_term_months = None
    min_amount = Decimal("1000.00")
    max_amount = None
    rate = Decimal("2.6000")
    rate_kind = "benchmark"
    min_age = 18
    max_age = None
    target_customers = "稳健型客户"
    features = "测试产品"
    sale_status = "on_sale"


class HoldingFactory(_Base):
    class Meta:
        model = Holding
        exclude = ("customer",)  # a helper attribute, not a column

    customer = factory.SubFactory(CustomerFactory)
    customer_id = factory.SelfAttribute("customer.id")
    product = factory.SubFactory(ProductFactory)
    product_id = factory.SelfAttribute("product.id")
    amount = Decimal("10000.00")
    started_on = date(2026, 1, 1)
    status = "active"


class RiskAssessmentFactory(_Base):
    class Meta:
        model = RiskAssessment

    customer_id = 0
    questionnaire_version = "2026.1"
    answers = factory.LazyFunction(dict)
    score = 30
    risk_level = 3
    channel = "web"
    assessed_at = T0 - timedelta(days=30)
    expires_at = factory.LazyAttribute(lambda o: o.assessed_at + timedelta(days=365))
