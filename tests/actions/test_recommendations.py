from __future__ import annotations

import json

import httpx
import pytest
from rasa_sdk.events import SlotSet

from actions.recommendations import (
    ActionDeclineLead,
    ActionInterestRate,
    ActionProductInfo,
    ActionRecommendProducts,
    ActionRegisterInterest,
    ValidateProductRecoForm,
    parse_horizon_months,
)
from tests.actions.conftest import VERIFIED, make_tracker, responses, texts, user_event

DOMAIN_SLOTS = [
    "phone_number",
    "verification_code",
    "product_type",
    *(f"risk_q{i}" for i in range(1, 11)),
    "amount",
    "investment_horizon",
]
QUESTIONS = [f"risk_q{i}" for i in range(1, 11)]


def product(code: str, name: str, **extra):
    values = {
        "id": 1,
        "code": code,
        "name": name,
        "product_type": "理财",
        "subtype": "固收类",
        "is_investment": True,
        "risk_level": 2,
        "risk_label": "R2 中低风险",
        "term_days": 180,
        "term_label": "180天",
        "max_term_months": None,
        "min_amount": "10000.00",
        "max_amount": None,
        "rate": "2.60",
        "rate_kind": "benchmark",
        "rate_label": "业绩比较基准（年化）",
        "min_age": 18,
        "max_age": None,
        "target_customers": "稳健型及以上客户",
        "features": "1万元起购",
        "sale_status": "on_sale",
    }
    values.update(extra)
    return values


WM180 = product("WM-R2-180", "稳享180天")
TD1Y = product(
    "TD-1Y",
    "整存整取1年",
    product_type="定期存款",
    is_investment=False,
    risk_level=None,
    risk_label=None,
    term_days=365,
    term_label="1年",
    min_amount="50.00",
    rate="0.95",
    rate_kind="fixed",
    rate_label="年利率",
)
RECOMMENDATIONS = {
    "request_id": "abc",
    "model_version": "knn-itemcf-profile-v1@x",
    "risk_assessment_valid": True,
    "risk_level": 3,
    "risk_label": "稳健型",
    "excluded": {},
    "items": [
        {
            "recommendation_id": 11,
            "rank": 1,
            "score": 0.8,
            "product": WM180,
            "reasons": [
                "您活期账户近三个月平均余额较高（约5.2万元），闲置资金放在这里收益更好",
                "产品风险等级为R2 中低风险，在您风险测评结果（稳健型）可承受的范围内",
            ],
            "risk_disclosure": "理财非存款、产品有风险、投资须谨慎",
        },
        {
            "recommendation_id": 12,
            "rank": 2,
            "score": 0.7,
            "product": TD1Y,
            "reasons": ["存款保本保息，受存款保险保障，适合稳健打理资金"],
            "risk_disclosure": None,
        },
    ],
}
SHOWN = [
    {"code": "WM-R2-180", "name": "稳享180天", "recommendation_id": 11},
    {"code": "TD-1Y", "name": "整存整取1年", "recommendation_id": 12},
]


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("一年", 12),
        ("半年", 6),
        ("3个月", 3),
        ("90天", 3),
        ("两年左右", 24),
        ("随时可能要用", 0),
        ("五年", 60),
        ("看情况", None),
    ],
)
def test_horizon_parsing(text, months):
    assert parse_horizon_months(text) == months


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({"product_type": "理财"}, ["phone_number", "verification_code"]),  # verify first
        (
            {**VERIFIED, "risk_level": "C3", "product_type": "理财"},
            ["product_type", "amount", "investment_horizon"],
        ),
        (
            {**VERIFIED, "risk_level": "none", "product_type": "基金"},
            ["product_type", *QUESTIONS, "amount", "investment_horizon"],
        ),  # questionnaire first
        (
            {**VERIFIED, "risk_level": "none", "product_type": "定期存款"},
            ["product_type", "amount", "investment_horizon"],
        ),  # deposits need no assessment
        ({**VERIFIED, "risk_level": "none", "product_type": "信用卡"}, ["product_type"]),
        ({**VERIFIED, "risk_level": "C2", "product_type": "贷款"}, ["product_type", "amount"]),
    ],
)
async def test_required_slots(slots, expected, dispatcher, domain):
    tracker = make_tracker(slots=slots, intent="ask_product_recommendation")
    got = await ValidateProductRecoForm().required_slots(DOMAIN_SLOTS, dispatcher, tracker, domain)
    assert got == expected


async def test_horizon_is_read_from_the_request_itself(dispatcher, domain):
    tracker = make_tracker(
        slots=VERIFIED, text="我有10万，想买一年左右的理财", intent="ask_product_recommendation"
    )
    got = await ValidateProductRecoForm().extract_investment_horizon(dispatcher, tracker, domain)
    assert got == {"investment_horizon": 12}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(50000, 50000.0), ("5万", 50000.0), ("两千块", 2000.0), ("多少都行", None), (0, None)],
)
async def test_amount_validation(value, expected, dispatcher, domain):
    got = await ValidateProductRecoForm().validate_amount(value, dispatcher, make_tracker(), domain)
    assert got == {"amount": expected}


async def test_top_three_with_reasons_risk_level_and_disclosure(crm, dispatcher, domain):
    route = crm.post("/customers/1/recommendations").respond(json=RECOMMENDATIONS)
    tracker = make_tracker(
        slots={
            **VERIFIED,
            "product_type": "理财",
            "amount": 50000,
            "investment_horizon": 12,
            "risk_level": "C3",
        },
        metadata={"channel": "web"},
    )
    events = await ActionRecommendProducts().run(dispatcher, tracker, domain)
    body = json.loads(route.calls.last.request.content)
    assert body == {
        "limit": 3,
        "channel": "web",
        "product_type": "理财",
        "amount": "50000",
        "horizon_months": 12,
    }
    listing = texts(dispatcher)[0]
    assert listing.startswith("根据您的资产、收支情况、需求和风险测评结果（稳健型）")
    assert (
        "1. 稳享180天（理财）｜业绩比较基准（年化） 2.60%｜期限 180天｜"
        "起购 10,000.00 元｜风险等级 R2 中低风险"
    ) in listing
    assert "推荐理由：您活期账户近三个月平均余额较高" in listing
    assert "2. 整存整取1年（定期存款）｜年利率 0.95%" in listing
    assert responses(dispatcher)[1:] == ["utter_risk_disclosure", "utter_reco_followup"]
    assert [b["payload"] for b in dispatcher.messages[2]["buttons"]] == [
        "介绍一下稳享180天",
        "介绍一下整存整取1年",
        "帮我对比一下这几款产品",
    ]
    assert SlotSet("reco_items", SHOWN) in events
    assert SlotSet("product_type", None) in events and SlotSet("risk_q1", None) in events


async def test_any_type_sends_no_type(crm, dispatcher, domain):
    route = crm.post("/customers/1/recommendations").respond(json=RECOMMENDATIONS)
    tracker = make_tracker(
        slots={**VERIFIED, "product_type": "不限", "amount": 10000, "risk_level": "C3"}
    )
    await ActionRecommendProducts().run(dispatcher, tracker, domain)
    assert "product_type" not in json.loads(route.calls.last.request.content)


async def test_cancelled_questionnaire_recommends_nothing(crm, dispatcher, domain):
    route = crm.post("/customers/1/recommendations").respond(json=RECOMMENDATIONS)
    tracker = make_tracker(slots={**VERIFIED, "product_type": "基金", "risk_level": "none"})
    await ActionRecommendProducts().run(dispatcher, tracker, domain)
    assert not route.called and dispatcher.messages == []


async def test_crm_insists_on_an_assessment(crm, dispatcher, domain):
    crm.post("/customers/1/recommendations").respond(
        409, json={"code": "risk_assessment_required", "detail": "…"}
    )
    tracker = make_tracker(slots={**VERIFIED, "product_type": "理财", "risk_level": "C3"})
    events = await ActionRecommendProducts().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_risk_required"]
    assert SlotSet("risk_level", "none") in events


async def test_recommendation_when_the_crm_is_down(crm, dispatcher, domain):
    crm.post("/customers/1/recommendations").mock(side_effect=httpx.ConnectError("down"))
    tracker = make_tracker(slots={**VERIFIED, "product_type": "理财", "risk_level": "C3"})
    await ActionRecommendProducts().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_service_unavailable"]


async def test_details_of_a_named_product_offer_a_relationship_manager(crm, dispatcher, domain):
    crm.get("/products").respond(json=[WM180, TD1Y])
    viewed = crm.post("/customers/1/recommendations/11/interest").respond(
        json={"recommendation_id": 11, "interest": "viewed_details", "interest_at": None}
    )
    tracker = make_tracker(
        slots={**VERIFIED, "reco_items": SHOWN}, text="介绍一下稳享180天", intent="ask_product_info"
    )
    events = await ActionProductInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [
        "utter_product_detail",
        "utter_risk_disclosure",
        "utter_offer_lead",
    ]
    detail = dispatcher.messages[0]
    assert detail["rate"] == "业绩比较基准（年化） 2.60%" and detail["risk"] == "R2 中低风险"
    assert json.loads(viewed.calls.last.request.content) == {"interest": "viewed_details"}
    assert SlotSet("offer_lead", True) in events
    assert SlotSet("lead_product", "WM-R2-180") in events
    assert SlotSet("lead_recommendation", "11") in events


async def test_anonymous_visitors_get_details_but_no_lead_offer(crm, dispatcher, domain):
    crm.get("/products").respond(json=[WM180, TD1Y])
    tracker = make_tracker(text="整存整取1年是什么", intent="ask_product_info")
    events = await ActionProductInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_product_detail", "utter_product_lead_needs_login"]
    assert SlotSet("offer_lead", True) not in events


async def test_a_type_and_a_term_find_the_product(crm, dispatcher, domain):
    crm.get("/products").respond(json=[product("WM-R2-90", "稳享90天", term_days=90), WM180])
    tracker = make_tracker(
        text="那个90天的理财收益多少",
        intent="ask_product_info",
        entities=[{"entity": "product_type", "value": "理财"}],
    )
    await ActionProductInfo().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["name"] == "稳享90天"


async def test_comparison_of_the_recommended_products(crm, dispatcher, domain):
    crm.get("/products/WM-R2-180").respond(json=WM180)
    crm.get("/products/TD-1Y").respond(json=TD1Y)
    tracker = make_tracker(
        slots={**VERIFIED, "reco_items": SHOWN},
        text="帮我对比一下这几款产品",
        intent="ask_product_info",
    )
    await ActionProductInfo().run(dispatcher, tracker, domain)
    comparison = texts(dispatcher)[0]
    assert "稳享180天" in comparison and "整存整取1年" in comparison
    assert responses(dispatcher)[1:] == ["utter_risk_disclosure", "utter_product_compare_next"]


async def test_three_year_deposit_rate_comes_from_the_rate_table(crm, dispatcher, domain):
    rows = [
        {
            "product_code": c,
            "name": n,
            "product_type": "定期存款",
            "subtype": "整存整取",
            "term_days": d,
            "term_label": t,
            "max_term_months": None,
            "rate": r,
            "rate_kind": "fixed",
            "rate_label": "年利率",
            "min_amount": "50.00",
        }
        for c, n, d, t, r in (
            ("TD-1Y", "整存整取1年", 365, "1年", "0.95"),
            ("TD-3Y", "整存整取3年", 1095, "3年", "1.25"),
        )
    ]
    crm.get("/products/rates", params={"product_type": "定期存款"}).respond(json=rows)
    tracker = make_tracker(
        text="三年定期利率是多少",
        intent="ask_interest_rate",
        entities=[{"entity": "product_type", "value": "定期存款"}],
    )
    await ActionInterestRate().run(dispatcher, tracker, domain)
    [text] = texts(dispatcher)
    assert "整存整取3年（3年）：年利率 1.25%，50.00 元起" in text
    assert "整存整取1年" not in text


def _offered(**slots):
    events = [
        user_event("介绍一下稳享180天", "ask_product_info"),
        {"event": "action", "name": "action_product_info"},
        {"event": "action", "name": "action_listen"},
    ]
    return make_tracker(
        slots={
            **VERIFIED,
            "offer_lead": True,
            "lead_product": "WM-R2-180",
            "lead_recommendation": "11",
            **slots,
        },
        text="好的",
        intent="affirm",
        events=events,
    )


async def test_interest_becomes_a_lead(crm, dispatcher, domain):
    route = crm.post("/customers/1/leads").respond(
        201,
        json={
            "id": 3,
            "reference": "XS20261129000003",
            "customer_id": 1,
            "product": WM180,
            "amount": None,
            "status": "new",
            "channel": "web",
            "created_at": "2026-11-29T12:00:00+08:00",
            "already_exists": False,
        },
    )
    events = await ActionRegisterInterest().run(dispatcher, _offered(), domain)
    assert json.loads(route.calls.last.request.content) == {
        "product_code": "WM-R2-180",
        "channel": "rest",
        "recommendation_id": 11,
    }
    assert responses(dispatcher) == ["utter_lead_created"]
    assert dispatcher.messages[0]["reference"] == "XS20261129000003"
    assert SlotSet("offer_lead", False) in events


async def test_unsuitable_interest_is_refused_politely(crm, dispatcher, domain):
    crm.post("/customers/1/leads").respond(
        409, json={"code": "product_not_suitable", "detail": "…", "violations": []}
    )
    await ActionRegisterInterest().run(dispatcher, _offered(), domain)
    assert responses(dispatcher) == ["utter_lead_not_suitable"]


async def test_a_stale_offer_registers_nothing(crm, dispatcher, domain):
    route = crm.post("/customers/1/leads").respond(201, json={})
    tracker = make_tracker(
        slots={**VERIFIED, "offer_lead": True, "lead_product": "WM-R2-180"},
        text="好的",
        intent="affirm",
        events=[{"event": "action", "name": "action_check_balance"}],
    )
    await ActionRegisterInterest().run(dispatcher, tracker, domain)
    assert not route.called and responses(dispatcher) == ["utter_anything_else"]


async def test_declining_records_no_interest(crm, dispatcher, domain):
    route = crm.post("/customers/1/recommendations/11/interest").respond(json={})
    events = await ActionDeclineLead().run(dispatcher, _offered(), domain)
    assert json.loads(route.calls.last.request.content) == {"interest": "not_interested"}
    assert responses(dispatcher) == ["utter_lead_declined"]
    assert SlotSet("lead_product", None) in events
