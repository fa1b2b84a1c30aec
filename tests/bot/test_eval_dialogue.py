"""The dialogue benchmark's judge (scripts/eval_dialogue.py): a turn passes only when every
expectation holds, and the dialogues on disk are well formed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from eval_dialogue import (  # noqa: E402
    Dialogue,
    Outcome,
    TurnResult,
    check_turn,
    load_dialogues,
    summarise,
    turn_from_events,
)

# what the bot did after 「储蓄卡余额多少」 → phone → code, as read from a tracker
VERIFIED_BALANCE = TurnResult(
    actions=["verify_form", "action_resume_request"],
    responses=["utter_verified"],
    texts=["张伟，您好，身份验证成功。", "储蓄卡（尾号1234）：可用余额 52,380.45 元"],
    slots={"customer_verified": True, "rating": None, "amount": 100000.0},
    form=None,
)


@pytest.mark.parametrize(
    "expect",
    [
        {},
        {"actions": ["action_resume_request"]},
        {"actions_any": ["action_check_balance", "action_resume_request"]},
        {"not_actions": ["verify_form_x", "action_clarify"]},
        {"responses": ["utter_verified"], "responses_any": ["utter_default", "utter_verified"]},
        {"not_responses": ["utter_default", "utter_clarify"]},
        {"text": ["可用余额", "张伟"], "text_any": ["本期账单", "可用余额"], "not_text": ["None"]},
        {"slots": {"customer_verified": True, "rating": None, "amount": 100000}},
        {"form": None},
    ],
)
def test_expectations_that_hold_pass(expect: dict[str, Any]) -> None:
    assert check_turn(expect, VERIFIED_BALANCE) is None


@pytest.mark.parametrize(
    ("expect", "words"),
    [
        ({"actions": ["action_check_balance"]}, "action action_check_balance did not run"),
        (
            {"actions_any": ["action_query_credit_card", "action_check_balance"]},
            "none of the actions",
        ),
        ({"not_actions": ["verify_form"]}, "action verify_form ran"),
        ({"responses": ["utter_balance_header"]}, "response utter_balance_header was not sent"),
        ({"responses_any": ["utter_default", "utter_clarify"]}, "none of the responses"),
        ({"not_responses": ["utter_verified"]}, "response utter_verified was sent"),
        ({"text": ["本期账单"]}, "text '本期账单' not in the reply"),
        ({"text_any": ["本期账单", "期间共有"]}, "none of"),
        ({"not_text": ["可用余额"]}, "text '可用余额' in the reply"),
        ({"slots": {"customer_verified": False}}, "slot customer_verified is True"),
        ({"slots": {"rating": 4}}, "slot rating is None"),
        ({"form": "verify_form"}, "active form is None"),
        ({"actions": ["action_resume_request"], "text": ["本期账单"]}, "本期账单"),
        ({"nonsense": ["x"]}, "unknown expectation key"),
    ],
)
def test_a_failing_expectation_is_reported_as_failing(expect: dict[str, Any], words: str) -> None:
    failure = check_turn(expect, VERIFIED_BALANCE)
    assert failure is not None and words in failure


def test_turn_from_events_reads_only_this_turns_actions_and_responses() -> None:
    events = [
        {"event": "action", "name": "utter_greet"},  # an earlier turn
        {"event": "user", "text": "那信用卡呢"},
        {"event": "action", "name": "utter_default"},
        {
            "event": "bot",
            "text": "抱歉，我没太理解您的意思。",
            "metadata": {"utter_action": "utter_default"},
        },
        {"event": "bot", "text": "一段没有模板名的话", "metadata": {}},
        {"event": "action", "name": "action_listen"},
    ]
    tracker = {"slots": {"account_type": None}, "active_loop": {"name": "verify_form"}}
    result = turn_from_events(events, 1, tracker)
    assert result.actions == ["utter_default"]
    assert result.responses == ["utter_default"]
    assert result.texts == ["抱歉，我没太理解您的意思。", "一段没有模板名的话"]
    assert result.form == "verify_form"
    assert (
        check_turn({"not_responses": ["utter_default"]}, result)
        == "response utter_default was sent"
    )


def test_summary_counts_a_dialogue_with_one_failed_turn_as_failed() -> None:
    def outcome(id_: str, flow: str, case: str, failure: str | None) -> Outcome:
        dialogue = Dialogue(id=id_, flow=flow, case=case, goal="", turns=[{"user": "x"}])
        return Outcome(dialogue, failure=failure, failed_turn=1 if failure else None)

    summary = summarise(
        [
            outcome("a", "accounts", "happy_path", None),
            outcome("b", "accounts", "repeat", "response utter_default was sent"),
            outcome("c", "faq", "repeat", None),
        ]
    )
    assert summary["overall"] == {"dialogues": 3, "passed": 2, "success": 0.6667}
    assert summary["per_flow"]["accounts"] == {"dialogues": 2, "passed": 1, "success": 0.5}
    assert summary["per_case"]["repeat"]["passed"] == 1
    assert [f["id"] for f in summary["failures"]] == ["b"]


def test_the_dialogues_on_disk_are_well_formed_and_cover_every_flow() -> None:
    dialogues = load_dialogues()
    assert len(dialogues) >= 200
    flows = {d.flow for d in dialogues}
    assert {
        "verification",
        "accounts",
        "card_loss",
        "fraud",
        "complaints",
        "complaint_status",
    } <= flows
    assert {"rating", "risk", "products", "loans", "handoff", "faq", "chitchat"} <= flows
    cases = {d.case for d in dialogues}
    assert {"interruption", "correction", "cancellation", "skip", "chitchat_in_form"} <= cases
    assert {
        "clarification",
        "repeat",
        "completion",
        "context_carry_over",
        "error_handling",
    } <= cases
    assert {"validation", "happy_path"} <= cases
