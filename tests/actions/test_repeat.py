"""Tests for action_repeat_last: the bot's last answer sent again, inside and outside forms."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.repeat import ActionRepeatLast, last_answer
from actions.surveys import ValidateRatingForm
from tests.actions.conftest import make_tracker, user_event


def bot(text: str, utter_action: str | None = None, **data: Any) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": text,
        "data": {"buttons": None, "custom": None, **data},
        "metadata": {"utter_action": utter_action} if utter_action else {},
    }


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


BUTTONS = [{"title": "查余额", "payload": "/check_balance"}]
BALANCE_TURN = [
    action("action_listen"),
    user_event("查余额", "check_balance"),
    action("action_check_balance"),
    bot("您的储蓄卡（尾号1234）可用余额 52,380.45 元。"),
    bot("请问还有其他可以帮您的吗？", "utter_anything_else", buttons=BUTTONS),
    action("action_listen"),
]


async def run(
    events: list[dict[str, Any]], active_loop: str | None = None
) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="再说一遍", intent="repeat", events=events, active_loop=active_loop)
    result = await ActionRepeatLast().run(dispatcher, tracker, {})
    return dispatcher.messages, result


async def test_repeats_every_message_of_the_last_answer() -> None:
    messages, result = await run(BALANCE_TURN)

    assert result == []
    assert [m.get("response") for m in messages] == ["utter_repeat_intro", None, None]
    assert messages[1]["text"] == "您的储蓄卡（尾号1234）可用余额 52,380.45 元。"
    assert messages[2]["text"] == "请问还有其他可以帮您的吗？"
    assert messages[2]["buttons"] == BUTTONS
    # the response name travels with the message, so the repeat is the same response
    assert messages[2]["utter_action"] == "utter_anything_else"
    assert "utter_action" not in messages[1]


async def test_only_the_answer_after_the_previous_message() -> None:
    earlier = [
        action("action_listen"),
        user_event("你好", "greet"),
        action("utter_greet"),
        bot("您好！", "utter_greet"),
    ]
    messages, _ = await run(earlier + BALANCE_TURN)

    assert [m["text"] for m in messages[1:]] == [
        "您的储蓄卡（尾号1234）可用余额 52,380.45 元。",
        "请问还有其他可以帮您的吗？",
    ]


async def test_a_second_repeat_still_repeats_the_answer() -> None:
    first_repeat = [
        user_event("你说啥", "repeat"),
        action("action_repeat_last"),
        bot("好的，我再说一遍：", "utter_repeat_intro"),
        bot("您的储蓄卡（尾号1234）可用余额 52,380.45 元。"),
        bot("请问还有其他可以帮您的吗？", "utter_anything_else", buttons=BUTTONS),
        action("action_listen"),
    ]
    messages, _ = await run(BALANCE_TURN + first_repeat)

    assert [m.get("response") for m in messages] == ["utter_repeat_intro", None, None]
    assert [m["text"] for m in messages[1:]] == [
        "您的储蓄卡（尾号1234）可用余额 52,380.45 元。",
        "请问还有其他可以帮您的吗？",
    ]


async def test_custom_payloads_are_sent_again() -> None:
    card = {"type": "products", "items": [{"name": "稳健理财90天"}]}
    turn = [
        user_event("有什么理财推荐", "ask_product_recommendation"),
        action("action_recommend_products"),
        bot("", custom=card),
    ]
    messages, _ = await run(turn)

    assert messages[1]["custom"] == card


async def test_nothing_to_repeat_outside_a_form() -> None:
    messages, result = await run([action("action_session_start"), action("action_listen")])

    assert result == []
    assert [m.get("response") for m in messages] == ["utter_repeat_nothing"]


async def test_inside_a_form_the_question_is_left_to_the_form() -> None:
    turn = [
        user_event("查余额", "check_balance"),
        action("verify_form"),
        bot("请输入您在本行预留的手机号码。", "utter_ask_phone_number"),
        action("action_listen"),
    ]
    messages, result = await run(turn, active_loop="verify_form")

    # only the lead-in: verify_form asks for the phone number again after this action
    assert result == []
    assert [m.get("response") for m in messages] == ["utter_repeat_intro"]


async def test_inside_a_form_every_message_of_its_question_is_left_to_it() -> None:
    turn = [
        user_event("需要", "affirm"),
        action("risk_assessment_form"),
        slot("risk_retake", True),
        slot("requested_slot", "risk_q1"),
        bot("根据监管要求，推荐投资产品前需要先了解您的风险承受能力。", "utter_risk_intro"),
        bot("第1/10题：您的年龄是？", "utter_risk_question"),
        action("action_listen"),
    ]
    messages, _ = await run(turn, active_loop="risk_assessment_form")

    # the form sends the introduction and the question again itself
    assert [m.get("response") for m in messages] == ["utter_repeat_intro"]


async def test_inside_a_form_earlier_messages_of_the_turn_are_repeated() -> None:
    turn = [
        user_event("13800138000", "inform"),
        action("verify_form"),
        bot("验证码已发送至您尾号8000的手机，5分钟内有效。", "utter_otp_sent"),
        slot("phone_number", "13800138000"),
        slot("requested_slot", "verification_code"),
        bot("请输入短信中的6位验证码。", "utter_ask_verification_code"),
        action("action_listen"),
    ]
    messages, _ = await run(turn, active_loop="verify_form")

    assert [m.get("response") for m in messages] == ["utter_repeat_intro", None]
    assert messages[1]["text"] == "验证码已发送至您尾号8000的手机，5分钟内有效。"
    assert messages[1]["utter_action"] == "utter_otp_sent"


def test_inside_a_form_a_message_another_action_sent_last_is_kept() -> None:
    events = [
        user_event("你们几点上班", "faq"),
        action("rating_form"),
        action("utter_faq"),
        bot("工作日9:00-17:00营业。", "utter_faq/opening_hours"),
        action("action_listen"),
        user_event("啥", "repeat"),
    ]

    assert [m["text"] for m in last_answer(events, "rating_form")] == ["工作日9:00-17:00营业。"]


async def test_a_form_extracts_nothing_from_a_repeat_request(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        text="你说啥",
        intent="repeat",
        slots={"requested_slot": "rating"},
        active_loop="rating_form",
    )

    # as a rating the text would end the form; ignored, the form is rejected and asks again
    assert await ValidateRatingForm().get_extraction_events(dispatcher, tracker, domain) == []
    events = await ValidateRatingForm().run(dispatcher, tracker, domain)
    assert all(e.get("name") != "rating" for e in events)
    assert SlotSet("requested_slot", None) not in events
