"""Human handoff: queue the conversation for a person and pause the bot, or offer a
callback when nobody can take it; resume when the agent closes.

Why a conversation is handed over (the CRM ranks the queue on it):
    fraud            a report_fraud in this stretch of the conversation (highest priority)
    angry            a customer message in this stretch reads as angry
    not_understood   the bot had offered a human after failed turns (utter_offer_human)
    service_error    the bot had apologised for a CRM outage (utter_service_unavailable)
    customer_request otherwise (转人工)
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import FAILED_INTENTS, event_intent
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import CallbackCreate, HandoffCreate, HandoffReason
from actions.forms import VerifiedCustomerFormValidation
from actions.identity import channel_of, verified_customer_id
from actions.sentiment import is_angry
from bankkit.identifiers import extract_phone

logger = logging.getLogger(__name__)

RATING_FORM = "rating_form"


def _since_last_handoff(tracker: Tracker) -> list[dict[str, Any]]:
    """Events after the last pause/resume/session start (this stretch of the conversation)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") in ("pause", "resume", "session_started", "restart"):
            return events[index + 1 :]
    return events


def fraud_pending(tracker: Tracker) -> bool:
    """The customer reported fraud and has not been handed to a person since."""
    return any(
        e.get("event") == "user" and event_intent(e) == "report_fraud"
        for e in _since_last_handoff(tracker)
    )


def handoff_reason(tracker: Tracker) -> HandoffReason:
    events = _since_last_handoff(tracker)
    if fraud_pending(tracker):
        return "fraud"
    if any(e.get("event") == "user" and is_angry(e.get("text")) for e in events):
        return "angry"
    bot_said = [
        (e.get("metadata") or {}).get("utter_action") for e in events if e.get("event") == "bot"
    ]
    if "utter_offer_human" in bot_said[-2:]:
        return "not_understood"
    user_intents = [event_intent(e) for e in events if e.get("event") == "user"]
    if len(user_intents) >= 3 and all(i in FAILED_INTENTS for i in user_intents[-3:-1]):
        return "not_understood"
    if "utter_service_unavailable" in bot_said[-2:]:
        return "service_error"
    return "customer_request"


class ActionHandoff(Action):
    """Queues the conversation and pauses the bot; or offers a callback."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason = handoff_reason(tracker)
        customer_id = verified_customer_id(tracker)
        request: HandoffCreate = {
            "conversation_id": tracker.sender_id,
            "customer_id": int(customer_id) if customer_id else None,
            "channel": channel_of(tracker),
            "reason": reason,
            "last_message": (tracker.latest_message or {}).get("text"),
        }
        try:
            ticket = await CrmClient().request_handoff(request)
        except (CrmUnavailable, CrmError) as exc:
            logger.error("handoff request failed: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_handoff_failed")
            return [SlotSet("handoff_status", None)]
        if ticket.get("status") == "queued":
            dispatcher.utter_message(
                response="utter_handoff_queued_urgent"
                if reason == "fraud"
                else "utter_handoff_queued",
                position=ticket.get("position"),
                minutes=ticket.get("expected_wait_minutes"),
            )
            events: list[EventType] = [SlotSet("handoff_status", "queued")]
            if "human_involved" in (domain.get("slots") or {}):
                events.append(SlotSet("human_involved", True))
            return [*events, ConversationPaused()]
        hours = ticket.get("service_hours", "")
        if ticket.get("unavailable_reason") == "outside_hours":
            dispatcher.utter_message(response="utter_handoff_outside_hours", hours=hours)
        else:
            dispatcher.utter_message(response="utter_handoff_no_agents")
        if reason == "fraud":
            dispatcher.utter_message(response="utter_fraud_hotline")
        dispatcher.utter_message(response="utter_offer_callback")
        return [SlotSet("handoff_status", "callback_offered"), SlotSet("handoff_reason", reason)]


class ActionHandoffResume(Action):
    """Runs when the agent closes: the bot is back (and asks for a rating if it can)."""

    def name(self) -> str:
        return "action_handoff_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handoff_resumed")
        events: list[EventType] = [SlotSet("handoff_status", None), SlotSet("handoff_reason", None)]
        if RATING_FORM in (domain.get("forms") or {}):
            events.append(FollowupAction(RATING_FORM))
        return events


class ValidateCallbackForm(VerifiedCustomerFormValidation):
    # a verified customer is called on the number the bank has
    skipped_when_verified = ("callback_phone",)

    def name(self) -> str:
        return "validate_callback_form"

    def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = extract_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
            return {"callback_phone": None}
        return {"callback_phone": phone}

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {"callback_time": None}
        return {"callback_time": text[:50]}


class ActionSubmitCallback(Action):
    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [
            SlotSet("callback_time", None),
            SlotSet("callback_phone", None),
            SlotSet("handoff_status", None),
            SlotSet("handoff_reason", None),
        ]
        when = tracker.get_slot("callback_time")
        if not when:
            # the form ends only with a time; the CRM refuses a booking without one
            logger.error("callback request failed: no preferred time")
            dispatcher.utter_message(response="utter_handoff_failed")
            return reset
        customer_id = verified_customer_id(tracker)
        body: CallbackCreate = {
            "conversation_id": tracker.sender_id,
            "customer_id": int(customer_id) if customer_id else None,
            "phone": None if customer_id else tracker.get_slot("callback_phone"),
            "preferred_time": str(when),
            "reason": tracker.get_slot("handoff_reason") or "customer_request",
            "channel": channel_of(tracker),
        }
        try:
            await CrmClient().request_callback(body)
        except (CrmUnavailable, CrmError) as exc:
            logger.error("callback request failed: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_handoff_failed")
            return reset
        dispatcher.utter_message(response="utter_callback_booked", time=when)
        return reset
