from __future__ import annotations

import json

import pytest
from rasa_sdk.events import SlotSet

from actions.surveys import (
    ActionRecordRating,
    ValidateRatingForm,
    handled_intents,
    human_took_part,
    parse_rating,
    rating_trigger,
)
from tests.actions.conftest import VERIFIED, make_tracker, responses, user_event


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("非常满意", 5),
        ("很满意！", 5),
        ("十分满意", 5),  # 十分 means "very", not ten points
        ("满意", 4),
        ("还算满意吧", 4),
        ("不错", 4),
        ("一般", 3),
        ("一般般吧", 3),
        ("还行", 3),
        ("三分", 3),  # Chinese numeral with 分
        ("3分", 3),
        ("５", 5),  # full-width digit
        ("5", 5),
        ("给4星", 4),
        ("打两分", 2),
        ("不满意", 2),  # contains 满意 but is negative
        ("不太满意", 2),
        ("很不满意", 1),
        ("非常不满意", 1),
        ("很差", 1),
        ("差评", 1),
        ("非常满意，给5分", 5),
        ("说满意吧也就3分", 3),  # an explicit number wins over words
        ("10分", None),  # not on the 1–5 scale
        ("6", None),
        ("我要查余额", None),  # not a rating at all
        ("", None),
        (None, None),
    ],
)
def test_parse_rating(text, score):
    assert parse_rating(text) == score


def test_handled_intents_skip_small_talk():
    tracker = make_tracker(
        intent="goodbye",
        events=[
            user_event("你好", "greet"),
            user_event("查余额", "check_balance"),
            user_event("好的", "affirm"),
            user_event("开户要带什么", "faq/documents"),
            user_event("查余额", "check_balance"),
            user_event("我要投诉", "complain"),
        ],
    )
    assert handled_intents(tracker) == ["check_balance", "faq", "complain"]


def test_human_took_part():
    assert not human_took_part(make_tracker())
    assert human_took_part(make_tracker(slots={"human_involved": True}))
    assert human_took_part(make_tracker(events=[{"event": "pause"}, {"event": "resume"}]))


def _in_rating_form(text, intent="give_rating", entities=None, slots=None, events=None):
    all_slots = {"requested_slot": "rating", **(slots or {})}
    return make_tracker(
        slots=all_slots,
        text=text,
        intent=intent,
        entities=entities,
        active_loop="rating_form",
        events=events,
    )


async def test_a_button_rating_is_taken(dispatcher, domain):
    tracker = _in_rating_form(
        "/give_rating", entities=[{"entity": "rating", "value": 5}], slots={"rating": "5"}
    )
    # what action_extract_slots did with the button's entity in this turn
    tracker.events.append({"event": "slot", "name": "rating", "value": "5"})
    events = await ValidateRatingForm().run(dispatcher, tracker, domain)
    assert SlotSet("rating", "5") in events
    assert events[-1] == SlotSet("requested_slot", None)  # nothing more to ask


async def test_a_low_free_text_rating_asks_why(dispatcher, domain):
    tracker = _in_rating_form("不太满意", intent="inform")
    events = await ValidateRatingForm().run(dispatcher, tracker, domain)
    assert SlotSet("rating", "2") in events
    # the domain's slot order applies: rating_comment is asked next, the form goes on
    assert SlotSet("requested_slot", None) not in events


async def test_something_that_is_not_a_rating_ends_the_form_quietly(dispatcher, domain):
    tracker = _in_rating_form("帮我订一张去北京的机票", intent="out_of_scope")
    events = await ValidateRatingForm().run(dispatcher, tracker, domain)
    assert events[-1] == SlotSet("requested_slot", None)
    assert SlotSet("rating", None) in events
    assert dispatcher.messages == []


async def test_deny_is_left_to_the_rules(dispatcher, domain):
    tracker = _in_rating_form("不用了", intent="deny")
    assert await ValidateRatingForm().extract_rating(dispatcher, tracker, domain) == {}


async def test_an_unprompted_rating_is_used_when_the_form_starts(dispatcher, domain):
    tracker = make_tracker(
        text="非常满意", intent="give_rating", entities=[{"entity": "rating", "value": 5}]
    )
    assert await ValidateRatingForm().extract_rating(dispatcher, tracker, domain) == {"rating": "5"}


async def test_skip_comment(dispatcher, domain):
    result = await ValidateRatingForm().validate_rating_comment(
        "跳过", dispatcher, make_tracker(), domain
    )
    assert result == {"rating_comment": "-"}


async def test_record_rating_posts_everything(crm, dispatcher, domain):
    route = crm.post("/satisfaction").respond(201, json={"id": 1, "created": True})
    events = [
        user_event("查余额", "check_balance"),
        user_event("再见", "goodbye"),
        {"event": "active_loop", "name": "rating_form"},
        user_event("/give_rating", "give_rating"),
    ]
    tracker = make_tracker(
        slots={**VERIFIED, "rating": "2", "rating_comment": "转人工太难"},
        text="转人工太难",
        intent="inform",
        events=events,
        metadata={"channel": "app"},
    )
    result = await ActionRecordRating().run(dispatcher, tracker, domain)
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "reference": "test-sender:4",
        "channel": "app",
        "score": 2,
        "comment": "转人工太难",
        "conversation_id": "test-sender",
        "customer_id": 1,
        "intents": ["check_balance"],
        "human_involved": False,
    }
    assert responses(dispatcher) == ["utter_rating_thanks_low", "utter_goodbye"]
    assert SlotSet("rating", None) in result and SlotSet("rating_comment", None) in result


async def test_a_crm_failure_still_thanks_the_customer(crm, dispatcher, domain):
    crm.post("/satisfaction").respond(503)
    tracker = make_tracker(slots={"rating": "5"}, intent="give_rating")
    await ActionRecordRating().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_rating_thanks"]


async def test_no_rating_no_call(crm, dispatcher, domain):
    route = crm.post("/satisfaction")
    await ActionRecordRating().run(dispatcher, make_tracker(intent="deny"), domain)
    assert not route.called
    assert responses(dispatcher) == ["utter_rating_skipped"]


def test_rating_trigger():
    tracker = make_tracker(
        intent="give_rating",
        events=[user_event("再见", "goodbye"), {"event": "active_loop", "name": "rating_form"}],
    )
    assert rating_trigger(tracker) == "goodbye"
    assert rating_trigger(make_tracker()) is None


def test_every_rating_response_exists(domain):
    for name in (
        "utter_ask_rating",
        "utter_ask_rating_comment",
        "utter_rating_thanks",
        "utter_rating_thanks_low",
        "utter_rating_skipped",
    ):
        assert name in domain["responses"]
