"""The investor risk questionnaire in the chat (risk_assessment_form, and inside the
recommendation form when a customer has no valid assessment).

The questions come from the CRM (`GET /risk/questionnaire`), one slot per question
(`risk_q1` … `risk_q10`, filled from the text of the answer: a letter, a number or the
option's words). When the last answer arrives the sheet is scored by the CRM, which
stores it for a year, and the result is told to the customer.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import AssessmentPublic, QuestionnairePublic, QuestionPublic
from actions.formatting import cn_date
from actions.forms import ABORT_FORM, yes_or_no
from actions.identity import channel_of, verified_customer_id
from actions.verification import VerifyFirstFormValidation

logger = logging.getLogger(__name__)

QUESTION_COUNT = 10
RISK_SLOTS = tuple(f"risk_q{i}" for i in range(1, QUESTION_COUNT + 1))
NO_ASSESSMENT = "none"  # risk_level slot value: checked, no valid assessment
QUESTIONNAIRE_TTL_SECONDS = 600
CANCEL_WORDS = ("算了", "不做了", "不测了", "取消", "退出", "不想做")
_questionnaire: dict[str, Any] = {"value": None, "at": 0.0}
CLEAR_ANSWERS: list[EventType] = [SlotSet(slot, None) for slot in RISK_SLOTS]


async def questionnaire() -> QuestionnairePublic:
    """The CRM's questionnaire, cached for a few minutes (it changes once a year)."""
    if _questionnaire["value"] is None or time.monotonic() - _questionnaire["at"] > (
        QUESTIONNAIRE_TTL_SECONDS
    ):
        _questionnaire["value"] = await CrmClient().risk_questionnaire()
        _questionnaire["at"] = time.monotonic()
    sheet: QuestionnairePublic = _questionnaire["value"]
    return sheet.copy()


def crm_channel(tracker: Tracker) -> str:
    channel = channel_of(tracker)
    return channel if channel in ("web", "app") else "rest"


def risk_slots_from(assessment: AssessmentPublic | None) -> dict[str, Any]:
    """risk_level / risk_label / risk_valid_until slots from a CRM assessment (or none)."""
    if not assessment:
        return {"risk_level": NO_ASSESSMENT, "risk_label": None, "risk_valid_until": None}
    return {
        "risk_level": assessment["risk_code"],
        "risk_label": assessment["risk_label"],
        "risk_valid_until": cn_date(datetime.fromisoformat(assessment["expires_at"]).date()),
    }


async def current_risk_slots(customer_id: str) -> dict[str, Any]:
    """The customer's current risk slots; {} if the CRM cannot be asked right now."""
    try:
        return risk_slots_from(await CrmClient().current_risk_assessment(customer_id))
    except (CrmUnavailable, CrmError) as exc:
        logger.error("risk assessment lookup failed: %s", getattr(exc, "code", "unavailable"))
        return {}


def match_option(question: QuestionPublic, text: str) -> str | None:
    """The option key the customer meant: 'B', 'b', '2', 'B. 31–45岁' or the option text."""
    cleaned = (text or "").strip().upper().replace("．", ".")
    options = question["options"]
    keys = [o["key"] for o in options]
    letter = re.fullmatch(r"([A-E])(?:[.、\s].*)?", cleaned)
    if letter and letter.group(1) in keys:
        return letter.group(1)
    number = re.fullmatch(r"(?:选|第)?\s*(\d)\s*(?:个|项)?", cleaned)
    if number and 1 <= int(number.group(1)) <= len(options):
        return str(keys[int(number.group(1)) - 1])
    for option in options:
        if option["text"] and (option["text"] in text or text.strip() == option["text"]):
            return str(option["key"])
    return None


class RiskQuestionsMixin:
    """validate_risk_q1 … validate_risk_q10, shared by the forms that ask the questions."""

    async def _validate_risk_answer(
        self,
        number: int,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        slot = f"risk_q{number}"
        text = str(slot_value or "")
        if latest_intent(tracker) == "deny" or any(word in text for word in CANCEL_WORDS):
            dispatcher.utter_message(response="utter_risk_assessment_cancelled")
            return {slot: None, **ABORT_FORM}
        try:
            sheet = await questionnaire()
        except (CrmUnavailable, CrmError):
            dispatcher.utter_message(response="utter_service_unavailable")
            return {slot: None, **ABORT_FORM}
        key = match_option(sheet["questions"][number - 1], text)
        if key is None:
            dispatcher.utter_message(response="utter_risk_answer_not_understood")
            return {slot: None}
        answers: dict[str, str | None] = {
            f"q{i}": tracker.get_slot(f"risk_q{i}") for i in range(1, QUESTION_COUNT + 1)
        }
        answers[f"q{number}"] = key
        sheet_answers = {q: a for q, a in answers.items() if a is not None}
        if len(sheet_answers) < len(answers):
            return {slot: key}
        return {slot: key, **await self._submit(sheet_answers, dispatcher, tracker)}

    async def _submit(
        self, answers: dict[str, str], dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        customer_id = verified_customer_id(tracker)
        if not customer_id:
            return ABORT_FORM
        try:
            result = await CrmClient().submit_risk_assessment(
                customer_id, answers, channel=crm_channel(tracker)
            )
        except (CrmUnavailable, CrmError) as exc:
            logger.error("risk assessment not saved: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_service_unavailable")
            return ABORT_FORM
        slots = risk_slots_from(result)
        dispatcher.utter_message(
            response="utter_risk_result",
            risk_label=slots["risk_label"],
            risk_code=slots["risk_level"],
            valid_until=slots["risk_valid_until"],
        )
        return slots


def _make_validator(number: int) -> Any:
    async def validate(
        self: RiskQuestionsMixin,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return await self._validate_risk_answer(number, slot_value, dispatcher, tracker)

    validate.__name__ = f"validate_risk_q{number}"
    return validate


for _number in range(1, QUESTION_COUNT + 1):
    setattr(RiskQuestionsMixin, f"validate_risk_q{_number}", _make_validator(_number))


async def with_risk_slots(tracker: Tracker) -> list[EventType]:
    """Look the customer's assessment up once per conversation (risk_level slot unset)."""
    customer_id = verified_customer_id(tracker)
    if not customer_id or tracker.get_slot("risk_level"):
        return []
    slots = await current_risk_slots(customer_id)
    tracker.slots.update(slots)  # so required_slots sees it in this same run
    return [SlotSet(name, value) for name, value in slots.items()]


class RiskAwareFormValidation(RiskQuestionsMixin, VerifyFirstFormValidation):
    """A form that verifies the customer and knows their current risk assessment."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        known = await with_risk_slots(tracker)
        return [*known, *await super().run(dispatcher, tracker, domain)]

    async def after_verification(
        self, customer_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        return await current_risk_slots(customer_id)


class ValidateRiskAssessmentForm(RiskAwareFormValidation):
    def name(self) -> str:
        return "validate_risk_assessment_form"

    def slots_for_verified(self, slots: list[str], tracker: Tracker) -> list[str]:
        level = tracker.get_slot("risk_level")
        answered = all(tracker.get_slot(slot) for slot in RISK_SLOTS)
        if level in (None, NO_ASSESSMENT) or answered:
            return [s for s in slots if s != "risk_retake"]
        if tracker.get_slot("risk_retake") is False:
            return ["risk_retake"]
        return slots

    async def validate_risk_retake(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return yes_or_no("risk_retake", slot_value)


class ActionAskRiskQuestion(Action):
    """Asks risk_qN with the options as buttons (registered for N = 1..10)."""

    number = 0

    def name(self) -> str:
        return f"action_ask_risk_q{self.number}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            sheet = await questionnaire()
        except (CrmUnavailable, CrmError):
            dispatcher.utter_message(response="utter_service_unavailable")
            return [SlotSet("requested_slot", None)]
        question = sheet["questions"][self.number - 1]
        if self.number == 1:
            dispatcher.utter_message(response="utter_risk_intro", total=len(sheet["questions"]))
        buttons = [
            {"title": f"{o['key']}. {o['text']}", "payload": o["key"]} for o in question["options"]
        ]
        dispatcher.utter_message(
            response="utter_risk_question",
            number=self.number,
            total=len(sheet["questions"]),
            question=question["text"],
            buttons=buttons,
        )
        return []


# one registered action per question: action_ask_risk_q1 … action_ask_risk_q10
for _number in range(1, QUESTION_COUNT + 1):
    _cls = type(f"ActionAskRiskQ{_number}", (ActionAskRiskQuestion,), {"number": _number})
    globals()[_cls.__name__] = _cls


class ActionRiskAssessmentDone(Action):
    """After risk_assessment_form: the result was told when scored; else the current one."""

    def name(self) -> str:
        return "action_risk_assessment_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        finished = all(tracker.get_slot(slot) for slot in RISK_SLOTS)
        level = tracker.get_slot("risk_level")
        if verified_customer_id(tracker) and level not in (None, NO_ASSESSMENT):
            if not finished:
                dispatcher.utter_message(response="utter_risk_current")
            dispatcher.utter_message(response="utter_risk_next")
        return [*CLEAR_ANSWERS, SlotSet("risk_retake", None)]
