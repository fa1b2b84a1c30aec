"""Tests for action_clarify: clarifying buttons, and a human after two failed turns."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clarify import ActionClarify, button_titles, clarification_buttons


def _user(intent: str, **parse: Any) -> dict[str, Any]:
    return {"event": "user", "text": "…", "parse_data": {"intent": {"name": intent}, **parse}}


def _tracker(events: list[dict[str, Any]]) -> Tracker:
    latest = events[-1]["parse_data"] if events else {}
    return Tracker("c1", {}, latest, events, False, None, None, "action_listen")


FAQ_PARSE = {
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "faq", "confidence": 0.38},
        {"name": "check_balance", "confidence": 0.3},
        {"name": "query_transactions", "confidence": 0.2},
    ],
    "response_selector": {"faq": {"response": {"canonical_question": "你们几点开门"}}},
}


async def _run(events: list[dict[str, Any]], domain: dict[str, Any]) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    assert await ActionClarify().run(dispatcher, _tracker(events), domain) == []
    return dispatcher.messages


async def test_offers_the_two_likeliest_meanings(domain: dict[str, Any]) -> None:
    messages = await _run([_user("check_balance"), _user("nlu_fallback", **FAQ_PARSE)], domain)
    [message] = messages
    assert message["response"] == "utter_clarify"
    # an FAQ topic is offered as its question (text payload); an intent as /intent
    assert message["buttons"] == [
        {"title": "你们几点开门", "payload": "你们几点开门"},
        {"title": "查询余额", "payload": "/check_balance"},
    ]


async def test_second_failed_turn_in_a_row_offers_a_human(domain: dict[str, Any]) -> None:
    messages = await _run([_user("out_of_scope"), _user("nlu_fallback", **FAQ_PARSE)], domain)
    assert [m["response"] for m in messages] == ["utter_offer_human"]


async def test_first_out_of_scope_says_what_the_bot_can_do(domain: dict[str, Any]) -> None:
    messages = await _run([_user("check_balance"), _user("out_of_scope")], domain)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]


async def test_second_out_of_scope_in_a_row_offers_a_human(domain: dict[str, Any]) -> None:
    messages = await _run([_user("out_of_scope"), _user("out_of_scope")], domain)
    assert [m["response"] for m in messages] == ["utter_offer_human"]


async def test_without_any_offerable_meaning_asks_to_rephrase(domain: dict[str, Any]) -> None:
    parse = {"intent_ranking": [{"name": "nlu_fallback"}, {"name": "affirm"}, {"name": "deny"}]}
    messages = await _run([_user("nlu_fallback", **parse)], domain)
    assert [m["response"] for m in messages] == ["utter_clarify_none"]


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        # context-free answers (affirm, inform) are skipped
        (
            ["nlu_fallback", "affirm", "report_card_loss", "inform", "request_human"],
            ["/report_card_loss", "/request_human"],
        ),
        # faq without a selector result is skipped
        (["faq", "ask_loan"], ["/ask_loan"]),
    ],
)
def test_clarification_buttons(
    ranking: list[str], expected: list[str], domain: dict[str, Any]
) -> None:
    parse = {"intent_ranking": [{"name": n} for n in ranking]}
    assert [b["payload"] for b in clarification_buttons(parse, button_titles(domain))] == expected


def test_every_offered_intent_has_a_title_in_the_domain_and_is_an_intent(
    domain: dict[str, Any],
) -> None:
    titles = button_titles(domain)
    assert titles["check_balance"] == "查询余额"
    assert set(titles) <= set(domain["intents"])
    # the affirm/deny/inform answers only make sense in context: never offered
    assert not {"affirm", "deny", "inform"} & set(titles)
