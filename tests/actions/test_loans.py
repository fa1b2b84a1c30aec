from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from actions.loans import (
    ActionLoanInfo,
    loan_kind,
    monthly_payment,
    parse_term_months,
    total_interest,
)
from tests.actions.conftest import make_tracker, responses, texts

D = Decimal

MORTGAGE = {
    "code": "LN-MORT",
    "name": "安居房贷（首套）",
    "product_type": "贷款",
    "subtype": "房贷",
    "rate": "4.90",
    "min_amount": "100000.00",
    "max_amount": "10000000.00",
    "max_term_months": 360,
    "min_age": 18,
    "max_age": 65,
    "target_customers": "购买首套自住房的客户",
    "features": "最长30年",
}
CAR = {
    **MORTGAGE,
    "code": "LN-CAR",
    "name": "悦行车贷",
    "subtype": "车贷",
    "rate": "3.80",
    "max_term_months": 60,
    "min_amount": "30000.00",
    "max_amount": "500000.00",
}


@pytest.mark.parametrize(
    ("principal", "rate", "months", "expected"),
    [
        (D(1_000_000), D("4.9"), 360, D("5307.27")),  # the classic 100万/4.9%/30年 mortgage
        (D(100_000), D("5"), 12, D("8560.75")),  # one year at 5%
        (D(200_000), D("4.1"), 240, D("1222.53")),  # 20年 at 4.1% (float check: 1222.525…)
        (D(12_000), D("0"), 12, D("1000.00")),  # an interest-free instalment plan
    ],
)
def test_annuity_matches_known_values(principal, rate, months, expected):
    assert monthly_payment(principal, rate, months) == expected


def test_total_interest_of_the_classic_mortgage():
    assert total_interest(D(1_000_000), D("4.9"), 360) == D("910617.20")


def test_annuity_refuses_nonsense():
    with pytest.raises(ValueError):
        monthly_payment(D(0), D("4.9"), 360)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("贷100万，30年", 360),
        ("分三年还", 36),
        ("36期", 36),
        ("24个月", 24),
        ("二十年", 240),
        ("月供多少", None),
    ],
)
def test_term_parsing(text, months):
    assert parse_term_months(text) == months


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我想贷款买车", "车贷"),
        ("房贷利率多少", "房贷"),
        ("装修房子能贷款吗", "装修贷"),
        ("做生意周转缺钱", "经营贷"),
        ("想借点钱旅游", "消费贷"),
        ("贷款", None),
    ],
)
def test_loan_kind(text, kind):
    assert loan_kind(text) == kind


async def test_mortgage_with_amount_and_term_gets_a_monthly_payment(crm, dispatcher, domain):
    crm.get("/products", params={"product_type": "贷款"}).respond(json=[MORTGAGE, CAR])
    tracker = make_tracker(
        text="贷100万买房，30年，月供多少",
        intent="ask_loan",
        entities=[{"entity": "amount", "value": 1000000}],
    )
    await ActionLoanInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [
        None,
        "utter_loan_docs_mortgage",
        "utter_loan_monthly_payment",
        "utter_loan_next_steps",
    ]
    assert "安居房贷（首套）：年化利率 4.90% 起" in texts(dispatcher)[0]
    payment = dispatcher.messages[2]
    assert payment["monthly"] == "5,307.27" and payment["term"] == "30年"
    assert payment["interest"] == "910,617.20"


async def test_loan_without_amount_asks_for_it(crm, dispatcher, domain):
    crm.get("/products").respond(json=[MORTGAGE, CAR])
    await ActionLoanInfo().run(
        dispatcher, make_tracker(text="我想贷款买车", intent="ask_loan"), domain
    )
    assert responses(dispatcher) == [
        None,
        "utter_loan_docs_car",
        "utter_loan_ask_amount_term",
        "utter_loan_next_steps",
    ]
    assert texts(dispatcher)[0].startswith("悦行车贷")


async def test_unspecified_loan_lists_the_kinds(crm, dispatcher, domain):
    crm.get("/products").respond(json=[MORTGAGE, CAR])
    await ActionLoanInfo().run(dispatcher, make_tracker(text="我想贷款", intent="ask_loan"), domain)
    [message] = dispatcher.messages
    assert "安居房贷" in message["text"] and "悦行车贷" in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["房贷", "车贷"]


async def test_loan_info_when_the_crm_is_down(crm, dispatcher, domain):
    crm.get("/products").mock(side_effect=httpx.ConnectError("down"))
    await ActionLoanInfo().run(dispatcher, make_tracker(text="房贷", intent="ask_loan"), domain)
    assert responses(dispatcher) == ["utter_service_unavailable"]
