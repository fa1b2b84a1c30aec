from __future__ import annotations

import json

import httpx
import pytest
from rasa_sdk.events import SlotSet

from actions.accounts import ActionResumeRequest
from actions.complaints import (
    CATEGORY_KEYWORDS,
    ActionAskComplaintCategory,
    ActionAskComplaintConfirmed,
    ActionFileComplaint,
    ActionQueryComplaintStatus,
    ValidateComplaintForm,
    extract_complaint_number,
    infer_category,
    is_substantive,
    parse_contact_method,
    promise_text,
)
from bankkit.complaints import COMPLAINT_CATEGORIES
from tests.actions.conftest import VERIFIED, make_tracker, responses, user_event

FILED = {
    "number": "TS202611290001",
    "status": "已受理",
    "category": "收费",
    "created_at": "2026-11-29T12:00:00+08:00",
    "due_at": "2026-12-04T12:00:00+08:00",
    "sla_hours": 120,
    "created": True,
}
STATUS = {
    "number": "TS202611290001",
    "category": "收费",
    "status": "处理中",
    "created_at": "2026-11-29T12:00:00+08:00",
    "due_at": "2026-12-04T12:00:00+08:00",
    "sla_breached": False,
    "latest_note": "已联系网点核实",
    "latest_note_at": None,
    "resolution": None,
}
FORM_SLOTS = {
    "complaint_description": "年费乱扣",
    "complaint_category": "收费",
    "complaint_account": "尾号1234",
    "complaint_time": "昨天",
    "complaint_contact_method": "电话",
    "complaint_confirmed": True,
}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("APP一打开就闪退", "系统故障"),
        ("莫名其妙扣了我年费", "收费"),
        ("卖给我的理财亏了一半", "产品"),
        ("在网点排队排了两个小时", "业务办理"),
        ("柜员态度太差了", "服务态度"),
        ("我要投诉", None),  # nothing to go on: ask
    ],
)
def test_infer_category(text, category):
    assert infer_category(text) == category


def test_every_keyword_row_names_a_category() -> None:
    assert {category for category, _words in CATEGORY_KEYWORDS} <= set(COMPLAINT_CATEGORIES)


@pytest.mark.parametrize(
    ("text", "substantive"),
    [("我要投诉", False), ("投诉！", False), ("我要投诉你们网点柜员态度太差", True)],
)
def test_is_substantive(text, substantive):
    assert is_substantive(text) is substantive


def test_helpers():
    assert extract_complaint_number("我的投诉 ts202611290001 怎么样了") == "TS202611290001"
    assert extract_complaint_number("我的投诉怎么样了") is None
    assert parse_contact_method("打电话给我吧", verified=False) == "电话"
    assert parse_contact_method("手机银行消息", verified=False) is None  # visitors have no app
    assert parse_contact_method("手机银行消息", verified=True) == "手机银行消息"
    assert (promise_text(24), promise_text(72), promise_text(120)) == (
        "24小时内",
        "72小时内",
        "5天内",
    )


async def test_description_and_category_guess_from_the_first_message(dispatcher, domain):
    tracker = make_tracker(
        text="我要投诉，你们乱扣我年费",
        intent="complain",
        entities=[{"entity": "complaint_category", "value": "收费"}],
    )
    result = await ValidateComplaintForm().extract_complaint_description(
        dispatcher, tracker, domain
    )
    assert result == {
        "complaint_description": "我要投诉，你们乱扣我年费",
        "complaint_category_guess": "收费",
    }


async def test_just_i_want_to_complain_asks_what_happened(dispatcher, domain):
    tracker = make_tracker(text="我要投诉", intent="complain")
    assert (
        await ValidateComplaintForm().extract_complaint_description(dispatcher, tracker, domain)
        == {}
    )


async def test_affirming_the_guess_sets_the_category(dispatcher, domain):
    tracker = make_tracker(
        slots={"requested_slot": "complaint_category", "complaint_category_guess": "系统故障"},
        text="是的",
        intent="affirm",
        active_loop="complaint_form",
    )
    assert await ValidateComplaintForm().extract_complaint_category(
        dispatcher, tracker, domain
    ) == {"complaint_category": "系统故障"}


async def test_a_button_corrects_the_guess(dispatcher, domain):
    tracker = make_tracker(
        slots={"requested_slot": "complaint_category", "complaint_category_guess": "系统故障"},
        text="/inform",
        intent="inform",
        active_loop="complaint_form",
        entities=[{"entity": "complaint_category", "value": "收费"}],
    )
    assert await ValidateComplaintForm().extract_complaint_category(
        dispatcher, tracker, domain
    ) == {"complaint_category": "收费"}


async def test_deny_at_the_category_rejects_so_the_form_can_be_cancelled(dispatcher, domain):
    tracker = make_tracker(
        slots={"requested_slot": "complaint_category"},
        text="算了",
        intent="deny",
        active_loop="complaint_form",
    )
    assert (
        await ValidateComplaintForm().extract_complaint_category(dispatcher, tracker, domain) == {}
    )


async def test_unrecognised_category_is_asked_again(dispatcher, domain):
    result = await ValidateComplaintForm().validate_complaint_category(
        "随便", dispatcher, make_tracker(), domain
    )
    assert result == {"complaint_category": None, "complaint_category_guess": None}
    assert responses(dispatcher) == ["utter_complaint_category_invalid"]


async def test_changing_the_category_at_the_read_back(dispatcher, domain):
    form = ValidateComplaintForm()
    change = make_tracker(
        slots={"requested_slot": "complaint_confirmed"},
        text="/inform",
        intent="inform",
        active_loop="complaint_form",
        entities=[{"entity": "complaint_category", "value": "修改"}],
    )
    assert await form.extract_complaint_category(dispatcher, change, domain) == {
        "complaint_category": None,
        "complaint_category_guess": None,
        "complaint_confirmed": None,
    }
    named = make_tracker(
        slots={"requested_slot": "complaint_confirmed"},
        text="是产品问题",
        intent="inform",
        active_loop="complaint_form",
        entities=[{"entity": "complaint_category", "value": "产品"}],
    )
    assert await form.extract_complaint_category(dispatcher, named, domain) == {
        "complaint_category": "产品",
        "complaint_confirmed": None,
    }


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        ("complaint_account", "未提供", "未提供"),  # the 不涉及 button (deny)
        ("complaint_account", "不涉及", "未提供"),
        ("complaint_account", "1234", "尾号1234"),
        ("complaint_time", "记不清了", "未提供"),
        ("complaint_time", "昨天下午三点左右", "昨天下午三点左右"),
    ],
)
async def test_optional_details(dispatcher, domain, slot, value, expected):
    validate = getattr(ValidateComplaintForm(), f"validate_{slot}")
    assert await validate(value, dispatcher, make_tracker(), domain) == {slot: expected}


async def test_anonymous_visitors_leave_a_phone_verified_customers_do_not(dispatcher, domain):
    slots = [
        "complaint_description",
        "complaint_category",
        "complaint_account",
        "complaint_time",
        "complaint_contact_method",
        "complaint_phone",
        "complaint_confirmed",
    ]
    form = ValidateComplaintForm()
    assert "complaint_phone" in await form.required_slots(slots, dispatcher, make_tracker(), domain)
    assert "complaint_phone" not in await form.required_slots(
        slots, dispatcher, make_tracker(slots=VERIFIED), domain
    )
    bad = await form.validate_complaint_phone("12345", dispatcher, make_tracker(), domain)
    assert bad == {"complaint_phone": None}
    ok = await form.validate_complaint_phone("139 0013 9000", dispatcher, make_tracker(), domain)
    assert ok == {"complaint_phone": "13900139000"}


async def test_an_angry_customer_is_offered_a_human_once(dispatcher, domain):
    tracker = make_tracker(
        text="什么破银行，气死我了，乱扣我钱", intent="complain", active_loop="complaint_form"
    )
    events = await ValidateComplaintForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_offer_human_angry"
    assert SlotSet("human_offered", True) in events
    again = make_tracker(slots={"human_offered": True}, text="气死了", intent="complain")
    other = type(dispatcher)()
    await ValidateComplaintForm().run(other, again, domain)
    assert "utter_offer_human_angry" not in responses(other)


async def test_a_second_complaint_in_one_conversation_is_offered_a_human(dispatcher, domain):
    tracker = make_tracker(
        text="我还要投诉", intent="complain", events=[user_event("我要投诉", "complain")]
    )
    await ValidateComplaintForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_offer_human_angry"


async def test_ask_category_offers_the_guess_first(dispatcher, domain):
    await ActionAskComplaintCategory().run(
        dispatcher, make_tracker(slots={"complaint_category_guess": "收费"}), domain
    )
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_complaint_category_guess"
    assert message["buttons"][0] == {"title": "是的，收费", "payload": "/affirm"}
    assert len(message["buttons"]) == 6
    assert json.loads(message["buttons"][1]["payload"][len("/inform") :]) == {
        "complaint_category": "服务态度"
    }


async def test_read_back_masks_the_visitors_phone(dispatcher, domain):
    slots = {**FORM_SLOTS, "complaint_phone": "13900139000"}
    await ActionAskComplaintConfirmed().run(dispatcher, make_tracker(slots=slots), domain)
    message = dispatcher.messages[0]
    assert message["contact"] == "电话（139****9000）"
    assert message["category"] == "收费"


async def test_filing_a_verified_customers_complaint(crm, dispatcher, domain):
    route = crm.post("/complaints").respond(201, json=FILED)
    tracker = make_tracker(
        slots={**VERIFIED, **FORM_SLOTS},
        intent="affirm",
        text="确认",
        events=[user_event("我要投诉", "complain")],
        metadata={"channel": "app"},
    )
    events = await ActionFileComplaint().run(dispatcher, tracker, domain)
    request = route.calls.last.request
    assert request.headers["Idempotency-Key"] == "test-sender:2"
    assert json.loads(request.content) == {
        "category": "收费",
        "description": "年费乱扣",
        "contact_method": "电话",
        "channel": "app",
        "customer_id": 1,
        "contact_phone": None,
        "account_ref": "尾号1234",
        "occurred_text": "昨天",
        "conversation_id": "test-sender",
    }
    assert dispatcher.messages[0]["response"] == "utter_complaint_filed"
    assert dispatcher.messages[0]["number"] == "TS202611290001"
    assert dispatcher.messages[0]["promise"] == "5天内"
    assert dispatcher.messages[0]["deadline"] == "12月4日 12:00"
    assert SlotSet("complaint_filed", True) in events
    assert SlotSet("complaint_number", "TS202611290001") in events
    assert SlotSet("complaint_description", None) in events


async def test_filing_an_anonymous_complaint_sends_the_phone(crm, dispatcher, domain):
    route = crm.post("/complaints").respond(201, json=FILED)
    slots = {**FORM_SLOTS, "complaint_phone": "13900139000", "complaint_account": "未提供"}
    events = await ActionFileComplaint().run(dispatcher, make_tracker(slots=slots), domain)
    sent = json.loads(route.calls.last.request.content)
    assert (sent["customer_id"], sent["contact_phone"], sent["account_ref"]) == (
        None,
        "13900139000",
        None,
    )
    assert SlotSet("complaint_phone", "13900139000") == events[-1]


async def test_a_retry_after_a_timeout_reuses_the_key(crm, dispatcher, domain):
    route = crm.post("/complaints")
    route.side_effect = [
        httpx.ConnectTimeout("slow"),
        httpx.Response(200, json={**FILED, "created": False}),
    ]
    tracker = make_tracker(slots={**VERIFIED, **FORM_SLOTS}, intent="affirm")
    await ActionFileComplaint().run(dispatcher, tracker, domain)
    keys = {call.request.headers["Idempotency-Key"] for call in route.calls}
    assert len(route.calls) == 2 and keys == {"test-sender:1"}
    assert responses(dispatcher) == ["utter_complaint_filed"]


async def test_declined_at_the_read_back(crm, dispatcher, domain):
    route = crm.post("/complaints")
    slots = {**VERIFIED, **FORM_SLOTS, "complaint_confirmed": False}
    events = await ActionFileComplaint().run(dispatcher, make_tracker(slots=slots), domain)
    assert not route.called
    assert responses(dispatcher) == ["utter_complaint_cancelled"]
    assert SlotSet("complaint_filed", False) in events


async def test_confirmed_without_the_forms_answers_is_not_filed(crm, dispatcher, domain):
    # the CRM would refuse it (category, description and contact method are required)
    route = crm.post("/complaints")
    slots = {**VERIFIED, **FORM_SLOTS, "complaint_description": None}
    events = await ActionFileComplaint().run(dispatcher, make_tracker(slots=slots), domain)
    assert not route.called
    assert responses(dispatcher) == ["utter_complaint_file_failed"]
    assert events == [SlotSet("complaint_filed", False)]


async def test_crm_down_is_a_polite_reply(crm, dispatcher, domain):
    crm.post("/complaints").respond(500)
    events = await ActionFileComplaint().run(
        dispatcher, make_tracker(slots={**VERIFIED, **FORM_SLOTS}), domain
    )
    assert responses(dispatcher) == ["utter_complaint_file_failed"]
    assert events == [SlotSet("complaint_filed", False)]


async def test_status_by_number(crm, dispatcher, domain):
    route = crm.get("/complaints/TS202611290001").respond(json=STATUS)
    tracker = make_tracker(
        slots=VERIFIED, text="TS202611290001 处理得怎样了", intent="query_complaint_status"
    )
    await ActionQueryComplaintStatus().run(dispatcher, tracker, domain)
    assert route.calls.last.request.url.params["customer_id"] == "1"
    message = dispatcher.messages[0]
    assert message["response"] == "utter_complaint_status"
    assert message["status"] == "处理中" and message["note"] == "\n最新进展：已联系网点核实"
    assert message["breach"] == ""


async def test_open_complaints_of_the_customer(crm, dispatcher, domain):
    crm.get("/customers/1/complaints").respond(
        json=[
            STATUS,
            {**STATUS, "number": "TS202611280003", "sla_breached": True, "latest_note": None},
        ]
    )
    tracker = make_tracker(slots=VERIFIED, text="我的投诉怎么样了", intent="query_complaint_status")
    await ActionQueryComplaintStatus().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [
        "utter_open_complaints_header",
        "utter_complaint_status",
        "utter_complaint_status",
    ]
    assert "已超过承诺时间" in dispatcher.messages[2]["breach"]


async def test_no_open_complaints(crm, dispatcher, domain):
    crm.get("/customers/1/complaints").respond(json=[])
    await ActionQueryComplaintStatus().run(
        dispatcher, make_tracker(slots=VERIFIED, intent="query_complaint_status"), domain
    )
    assert responses(dispatcher) == ["utter_no_open_complaints"]


async def test_someone_elses_number(crm, dispatcher, domain):
    crm.get("/complaints/TS202611290009").respond(404, json={"code": "complaint_not_found"})
    tracker = make_tracker(
        slots=VERIFIED, text="查 TS202611290009", intent="query_complaint_status"
    )
    await ActionQueryComplaintStatus().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_complaint_not_found"]
    assert dispatcher.messages[0]["number"] == "TS202611290009"


async def test_a_visitor_asks_about_the_complaint_filed_in_this_chat(crm, dispatcher, domain):
    route = crm.get("/complaints/TS202611290001").respond(json=STATUS)
    tracker = make_tracker(
        slots={"complaint_number": "TS202611290001", "complaint_phone": "13900139000"},
        text="刚才的投诉进度",
        intent="query_complaint_status",
    )
    await ActionQueryComplaintStatus().run(dispatcher, tracker, domain)
    assert route.calls.last.request.url.params["phone"] == "13900139000"
    assert responses(dispatcher) == ["utter_complaint_status"]


async def test_status_is_answered_after_verification(crm, dispatcher, domain):
    crm.get("/complaints/TS202611290001").respond(json=STATUS)
    tracker = make_tracker(
        slots=VERIFIED,
        text="123456",
        intent="inform",
        events=[user_event("TS202611290001 进度", "query_complaint_status")],
    )
    await ActionResumeRequest().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_complaint_status"]


async def test_crm_down_on_status(crm, dispatcher, domain):
    crm.get("/customers/1/complaints").respond(503)
    await ActionQueryComplaintStatus().run(
        dispatcher, make_tracker(slots=VERIFIED, intent="query_complaint_status"), domain
    )
    assert responses(dispatcher) == ["utter_service_unavailable"]


def test_every_complaint_response_exists(domain):
    names = [
        "utter_ask_complaint_description",
        "utter_ask_complaint_category",
        "utter_ask_complaint_category_guess",
        "utter_ask_complaint_account",
        "utter_ask_complaint_time",
        "utter_ask_complaint_contact_method",
        "utter_ask_complaint_phone",
        "utter_ask_complaint_confirmed",
        "utter_complaint_filed",
        "utter_complaint_file_failed",
        "utter_complaint_cancelled",
        "utter_offer_human_angry",
        "utter_complaint_status",
        "utter_no_open_complaints",
        "utter_open_complaints_header",
        "utter_complaint_not_found",
        "utter_complaint_category_invalid",
        "utter_complaint_contact_method_invalid",
        "utter_complaint_description_too_short",
    ]
    missing = [n for n in names if n not in domain["responses"]]
    assert missing == []
