from __future__ import annotations

import httpx
import pytest
from rasa_sdk.events import SlotSet

from actions import risk
from actions.risk import (
    ActionAskRiskQuestion,
    ActionRiskAssessmentDone,
    ValidateRiskAssessmentForm,
    match_option,
)
from tests.actions.conftest import VERIFIED, make_tracker, responses

OPTIONS = [
    {"key": k, "text": t}
    for k, t in (
        ("A", "18–30岁"),
        ("B", "31–45岁"),
        ("C", "46–55岁"),
        ("D", "56–65岁"),
        ("E", "65岁以上"),
    )
]
QUESTIONNAIRE = {
    "version": "2026.1",
    "validity_days": 365,
    "questions": [{"id": f"q{i}", "text": f"问题{i}", "options": OPTIONS} for i in range(1, 11)],
}
ASSESSMENT = {
    "id": 7,
    "customer_id": 1,
    "risk_level": 2,
    "risk_code": "C2",
    "risk_label": "谨慎型",
    "score": 22,
    "assessed_at": "2026-11-29T12:00:00+08:00",
    "expires_at": "2027-11-29T12:00:00+08:00",
    "questionnaire_version": "2026.1",
}
ALL_BUT_LAST = {f"risk_q{i}": "B" for i in range(1, 10)}
DOMAIN_SLOTS = [
    "phone_number",
    "verification_code",
    "risk_retake",
    *(f"risk_q{i}" for i in range(1, 11)),
]


@pytest.fixture(autouse=True)
def fresh_questionnaire_cache():
    risk._questionnaire.update(value=None, at=0.0)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("B", "B"),
        ("b", "B"),
        ("B. 31–45岁", "B"),
        ("2", "B"),
        ("选3", "C"),
        ("31–45岁", "B"),
        ("我今年65岁以上了", "E"),
        ("F", None),
        ("不知道", None),
    ],
)
def test_an_answer_is_matched_to_an_option(text, key):
    assert match_option({"options": OPTIONS}, text) == key


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({}, ["phone_number", "verification_code"]),  # verify first
        ({**VERIFIED, "risk_level": "none"}, [f"risk_q{i}" for i in range(1, 11)]),
        ({**VERIFIED, "risk_level": "C3"}, DOMAIN_SLOTS[2:]),  # ask whether to retake
        ({**VERIFIED, "risk_level": "C3", "risk_retake": False}, ["risk_retake"]),  # keep it
    ],
)
async def test_required_slots_of_the_questionnaire(slots, expected, dispatcher, domain):
    tracker = make_tracker(slots=slots, intent="risk_assessment")
    got = await ValidateRiskAssessmentForm().required_slots(
        DOMAIN_SLOTS, dispatcher, tracker, domain
    )
    assert got == expected


async def test_last_answer_submits_the_sheet_and_tells_the_result(crm, dispatcher, domain):
    crm.get("/risk/questionnaire").respond(json=QUESTIONNAIRE)
    submit = crm.post("/customers/1/risk-assessments").respond(201, json=ASSESSMENT)
    tracker = make_tracker(
        slots={**VERIFIED, **ALL_BUT_LAST, "risk_level": "none"},
        text="C",
        intent="inform",
        active_loop="risk_assessment_form",
    )
    result = await ValidateRiskAssessmentForm().validate_risk_q10("C", dispatcher, tracker, domain)
    assert result == {
        "risk_q10": "C",
        "risk_level": "C2",
        "risk_label": "谨慎型",
        "risk_valid_until": "2027年11月29日",
    }
    sent = submit.calls.last.request
    import json

    assert json.loads(sent.content)["answers"] == {
        **{f"q{i}": "B" for i in range(1, 10)},
        "q10": "C",
    }
    assert responses(dispatcher) == ["utter_risk_result"]
    assert dispatcher.messages[0]["risk_label"] == "谨慎型"


async def test_an_unclear_answer_is_asked_again(crm, dispatcher, domain):
    crm.get("/risk/questionnaire").respond(json=QUESTIONNAIRE)
    tracker = make_tracker(slots=VERIFIED, text="看情况吧", intent="inform")
    result = await ValidateRiskAssessmentForm().validate_risk_q3(
        "看情况吧", dispatcher, tracker, domain
    )
    assert result == {"risk_q3": None}
    assert responses(dispatcher) == ["utter_risk_answer_not_understood"]


async def test_saying_never_mind_leaves_the_questionnaire(crm, dispatcher, domain):
    route = crm.get("/risk/questionnaire").respond(json=QUESTIONNAIRE)
    tracker = make_tracker(slots=VERIFIED, text="算了不做了", intent="deny")
    result = await ValidateRiskAssessmentForm().validate_risk_q2(
        "算了不做了", dispatcher, tracker, domain
    )
    assert result == {"risk_q2": None, "requested_slot": None}
    assert responses(dispatcher) == ["utter_risk_assessment_cancelled"]
    assert not route.called


async def test_crm_failure_while_submitting_is_polite(crm, dispatcher, domain):
    crm.get("/risk/questionnaire").respond(json=QUESTIONNAIRE)
    crm.post("/customers/1/risk-assessments").mock(side_effect=httpx.ConnectError("down"))
    tracker = make_tracker(slots={**VERIFIED, **ALL_BUT_LAST}, text="A", intent="inform")
    result = await ValidateRiskAssessmentForm().validate_risk_q10("A", dispatcher, tracker, domain)
    assert result == {"risk_q10": "A", "requested_slot": None}
    assert responses(dispatcher) == ["utter_service_unavailable"]


async def test_questions_are_asked_with_the_crm_options_as_buttons(crm, dispatcher, domain):
    crm.get("/risk/questionnaire").respond(json=QUESTIONNAIRE)
    ask = type("Ask", (ActionAskRiskQuestion,), {"number": 1})()
    assert ask.name() == "action_ask_risk_q1"
    await ask.run(dispatcher, make_tracker(slots=VERIFIED), domain)
    assert responses(dispatcher) == ["utter_risk_intro", "utter_risk_question"]
    question = dispatcher.messages[1]
    assert question["question"] == "问题1" and question["number"] == 1
    assert question["buttons"][1] == {"title": "B. 31–45岁", "payload": "B"}


async def test_form_looks_the_assessment_up_once(crm, dispatcher, domain):
    crm.get("/risk/questionnaire").respond(json=QUESTIONNAIRE)
    current = crm.get("/customers/1/risk-assessments/current").respond(
        409, json={"code": "risk_assessment_required", "detail": "…", "expired_at": None}
    )
    tracker = make_tracker(
        slots=VERIFIED, intent="risk_assessment", active_loop="risk_assessment_form"
    )
    events = await ValidateRiskAssessmentForm().run(dispatcher, tracker, domain)
    assert SlotSet("risk_level", "none") in events
    assert events[-1] == SlotSet("requested_slot", "risk_q1")
    assert current.call_count == 1


async def test_done_shows_the_current_result_when_not_retaking(dispatcher, domain):
    tracker = make_tracker(
        slots={
            **VERIFIED,
            "risk_level": "C3",
            "risk_label": "稳健型",
            "risk_valid_until": "2027年3月1日",
            "risk_retake": False,
        }
    )
    events = await ActionRiskAssessmentDone().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_risk_current", "utter_risk_next"]
    assert SlotSet("risk_retake", None) in events


def test_every_question_has_an_ask_action_and_a_validator():
    for i in range(1, 11):
        assert getattr(risk, f"ActionAskRiskQ{i}")().name() == f"action_ask_risk_q{i}"
        assert callable(getattr(ValidateRiskAssessmentForm(), f"validate_risk_q{i}"))
