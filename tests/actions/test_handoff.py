"""Handoff actions: queue and pause, or offer a callback; why; resume; callback form."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cards import ActionReportCardLoss
from actions.handoff import (
    ActionHandoff,
    ActionHandoffResume,
    ActionSubmitCallback,
    ValidateCallbackForm,
    handoff_reason,
)
from tests.actions.conftest import VERIFIED, make_tracker, responses, user_event

QUEUED = {
    "status": "queued",
    "handoff_id": 7,
    "position": 2,
    "expected_wait_minutes": 6,
    "unavailable_reason": None,
    "service_hours": "08:00-22:00",
}


def bot_event(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}}


@pytest.mark.parametrize(
    ("events", "text", "intent", "reason"),
    [
        # asked plainly
        ([], "转人工", "request_human", "customer_request"),
        # the bot offered a human after failing twice
        (
            [
                user_event("啊啊", "nlu_fallback"),
                bot_event("utter_clarify"),
                user_event("呃", "nlu_fallback"),
                bot_event("utter_offer_human"),
            ],
            "/request_human",
            "request_human",
            "not_understood",
        ),
        # an angry message earlier in this stretch of the conversation
        (
            [user_event("什么破银行，气死我了", "complain"), bot_event("utter_offer_human_angry")],
            "/request_human",
            "request_human",
            "angry",
        ),
        # fraud reported, then the warning, then "no, a person"
        (
            [
                user_event("有人让我转账到安全账户", "report_fraud"),
                bot_event("utter_fraud_warning"),
            ],
            "不用",
            "deny",
            "fraud",
        ),
        # a fraud report before an earlier handoff does not count any more
        (
            [user_event("被骗了", "report_fraud"), {"event": "pause"}, {"event": "resume"}],
            "转人工",
            "request_human",
            "customer_request",
        ),
        # after a CRM outage apology
        (
            [user_event("查余额", "check_balance"), bot_event("utter_service_unavailable")],
            "/request_human",
            "request_human",
            "service_error",
        ),
    ],
)
def test_handoff_reason(events: list[dict[str, Any]], text: str, intent: str, reason: str) -> None:
    assert handoff_reason(make_tracker(events=events, text=text, intent=intent)) == reason


async def test_queued_pauses_the_bot(
    crm: respx.MockRouter, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    route = crm.post("/handoff/requests").mock(return_value=httpx.Response(200, json=QUEUED))
    tracker = make_tracker(
        slots=VERIFIED, text="转人工", intent="request_human", metadata={"channel": "web"}
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert json.loads(route.calls[0].request.content) == {
        "conversation_id": "test-sender",
        "customer_id": 1,
        "channel": "web",
        "reason": "customer_request",
        "last_message": "转人工",
    }
    assert dispatcher.messages[0]["response"] == "utter_handoff_queued"
    assert dispatcher.messages[0]["position"] == 2 and dispatcher.messages[0]["minutes"] == 6
    assert events == [
        SlotSet("handoff_status", "queued"),
        SlotSet("human_involved", True),
        ConversationPaused(),
    ]


async def test_fraud_is_queued_as_urgent(
    crm: respx.MockRouter, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    route = crm.post("/handoff/requests").mock(return_value=httpx.Response(200, json=QUEUED))
    tracker = make_tracker(
        events=[user_event("被骗了", "report_fraud")], text="不用了", intent="deny"
    )
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert json.loads(route.calls[0].request.content)["reason"] == "fraud"
    assert json.loads(route.calls[0].request.content)["customer_id"] is None
    assert responses(dispatcher) == ["utter_handoff_queued_urgent"]


@pytest.mark.parametrize(
    ("why", "first_response"),
    [("outside_hours", "utter_handoff_outside_hours"), ("no_agents", "utter_handoff_no_agents")],
)
async def test_unavailable_offers_a_callback(
    crm: respx.MockRouter,
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    why: str,
    first_response: str,
) -> None:
    crm.post("/handoff/requests").mock(
        return_value=httpx.Response(
            200,
            json={
                "status": "unavailable",
                "unavailable_reason": why,
                "service_hours": "08:00-22:00",
            },
        )
    )
    events = await ActionHandoff().run(dispatcher, make_tracker(intent="request_human"), domain)
    assert responses(dispatcher) == [first_response, "utter_offer_callback"]
    assert events == [
        SlotSet("handoff_status", "callback_offered"),
        SlotSet("handoff_reason", "customer_request"),
    ]
    assert ConversationPaused() not in events


async def test_crm_down_is_a_polite_reply(
    crm: respx.MockRouter, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    crm.post("/handoff/requests").mock(return_value=httpx.Response(503))
    events = await ActionHandoff().run(dispatcher, make_tracker(intent="request_human"), domain)
    assert responses(dispatcher) == ["utter_handoff_failed"]
    assert events == [SlotSet("handoff_status", None)]


async def test_resume_says_so_and_starts_the_rating_when_it_exists(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionHandoffResume().run(dispatcher, make_tracker(), domain)
    assert responses(dispatcher) == ["utter_handoff_resumed"]
    expected = [SlotSet("handoff_status", None), SlotSet("handoff_reason", None)]
    if "rating_form" in domain.get("forms", {}):
        expected.append(FollowupAction("rating_form"))
    assert events == expected
    # without the satisfaction flow the bot just resumes
    no_rating = {**domain, "forms": {}}
    assert (
        await ActionHandoffResume().run(CollectingDispatcher(), make_tracker(), no_rating)
        == expected[:2]
    )


async def test_callback_form_asks_the_phone_only_when_not_verified(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    form = ValidateCallbackForm()
    slots = ["callback_phone", "callback_time"]
    assert await form.required_slots(slots, dispatcher, make_tracker(), domain) == slots
    assert await form.required_slots(slots, dispatcher, make_tracker(slots=VERIFIED), domain) == [
        "callback_time"
    ]
    assert form.validate_callback_phone("138 0013 8000", dispatcher, make_tracker(), domain) == {
        "callback_phone": "13800138000"
    }
    assert form.validate_callback_phone("不知道", dispatcher, make_tracker(), domain) == {
        "callback_phone": None
    }
    assert responses(dispatcher) == ["utter_invalid_phone"]


async def test_submit_callback(
    crm: respx.MockRouter, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    route = crm.post("/handoff/callbacks").mock(return_value=httpx.Response(201, json={"id": 1}))
    tracker = make_tracker(
        slots={
            "callback_phone": "13800138000",
            "callback_time": "明天上午10点",
            "handoff_reason": "fraud",
        }
    )
    events = await ActionSubmitCallback().run(dispatcher, tracker, domain)
    body = json.loads(route.calls[0].request.content)
    assert body["phone"] == "13800138000" and body["preferred_time"] == "明天上午10点"
    assert body["reason"] == "fraud"
    assert dispatcher.messages[0]["response"] == "utter_callback_booked"
    assert dispatcher.messages[0]["time"] == "明天上午10点"
    assert SlotSet("handoff_status", None) in events


async def test_submit_callback_without_a_time_books_nothing(
    crm: respx.MockRouter, dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    # the CRM refuses a booking without a preferred time: the customer hears it failed
    route = crm.post("/handoff/callbacks").mock(return_value=httpx.Response(201, json={"id": 1}))
    tracker = make_tracker(slots={"callback_phone": "13800138000", "callback_time": None})
    events = await ActionSubmitCallback().run(dispatcher, tracker, domain)
    assert not route.called
    assert responses(dispatcher) == ["utter_handoff_failed"]
    assert events == [
        SlotSet("callback_time", None),
        SlotSet("callback_phone", None),
        SlotSet("handoff_status", None),
        SlotSet("handoff_reason", None),
    ]


async def test_freezing_the_card_after_a_fraud_report_hands_over(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    # (the loss itself is covered in test_cards.py; here: nothing to freeze, still hand over)
    tracker = make_tracker(events=[user_event("被骗了", "report_fraud")], intent="affirm")
    events = await ActionReportCardLoss().run(dispatcher, tracker, domain)
    assert events[-1] == FollowupAction("action_handoff")
    plain = await ActionReportCardLoss().run(
        CollectingDispatcher(), make_tracker(intent="affirm"), domain
    )
    assert FollowupAction("action_handoff") not in plain
