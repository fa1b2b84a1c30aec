"""Lost, stolen or swallowed cards: pick the card, confirm, freeze it in the CRM."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.accounts import BANK_TZ
from actions.conversation import event_intent
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import AccountPublic, CardLossReason
from actions.formatting import card_label
from actions.forms import AbortAwareFormValidation, VerifiedCustomerFormValidation, yes_or_no
from actions.handoff import fraud_pending
from actions.identity import channel_of, verified_customer_id
from actions.verification import VERIFICATION_SLOTS, VerificationSlotsMixin

logger = logging.getLogger(__name__)

REPORTABLE_STATUS = "normal"
RESET_LOSS_SLOTS: list[EventType] = [
    SlotSet("loss_card", None),
    SlotSet("loss_card_label", None),
    SlotSet("loss_confirmed", None),
    SlotSet("card_tail", None),
    SlotSet("account_type", None),
]


def loss_reason(text: str) -> CardLossReason:
    """lost / stolen / swallowed, from how the customer described it."""
    if "吞" in text or "吃卡" in text or "卡在ATM" in text.upper():
        return "swallowed"
    if any(word in text for word in ("偷", "盗", "抢", "扒")):
        return "stolen"
    return "lost"


def _loss_message(tracker: Tracker) -> dict[str, Any]:
    event: dict[str, Any]  # reversed() loses the element type of tracker.events
    for event in reversed(tracker.events):
        if event.get("event") == "user" and event_intent(event) == "report_card_loss":
            return event
    return tracker.latest_message or {}


def _entities(message: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    # tracker events keep entities in parse_data; latest_message has them at the top
    entities = message.get("entities") or (message.get("parse_data") or {}).get("entities")
    for entity in entities or []:
        found.setdefault(entity.get("entity"), entity.get("value"))
    return found


def match_card(
    cards: list[AccountPublic], *, tail: str | None, account_type: str | None
) -> AccountPublic | None:
    """The one reportable card the customer means, or None when unclear."""
    candidates = [c for c in cards if c.get("status") == REPORTABLE_STATUS]
    if tail:
        candidates = [c for c in candidates if c.get("last4") == str(tail)]
    elif account_type:
        candidates = [c for c in candidates if c.get("account_type") == account_type]
    return candidates[0] if len(candidates) == 1 else None


class ValidateCardLossForm(
    VerificationSlotsMixin, VerifiedCustomerFormValidation, AbortAwareFormValidation
):
    skipped_when_verified = VERIFICATION_SLOTS
    # the confirmation names the card: its label goes with the card picked
    companion_slots = {"loss_card": ("loss_card_label",)}

    def name(self) -> str:
        return "validate_card_loss_form"

    async def extract_loss_card(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        customer_id = verified_customer_id(tracker)
        if not customer_id or tracker.get_slot("loss_card"):
            return {}
        requested = tracker.get_slot("requested_slot")
        if requested not in (None, "loss_card"):
            return {}
        message = tracker.latest_message if requested == "loss_card" else _loss_message(tracker)
        return await self._card_from_message(customer_id, message or {}, single_ok=True)

    async def after_verification(
        self, customer_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        # The customer said which card when reporting the loss; use it now we know them.
        return await self._card_from_message(customer_id, _loss_message(tracker), single_ok=True)

    async def _card_from_message(
        self, customer_id: str, message: dict[str, Any], *, single_ok: bool
    ) -> dict[str, Any]:
        entities = _entities(message)
        try:
            cards = await CrmClient().list_accounts(customer_id)
        except (CrmUnavailable, CrmError):
            logger.error("could not list cards for loss report")
            return {}
        tail = entities.get("card_tail")
        account_type = entities.get("account_type")
        if not tail and not account_type and not single_ok:
            return {}
        card = match_card(cards, tail=tail, account_type=account_type)
        if card is None:
            return {}
        return {"loss_card": str(card["id"]), "loss_card_label": card_label(card)}

    async def validate_loss_card(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {"loss_card": slot_value} if slot_value else {"loss_card": None}

    async def validate_loss_confirmed(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return yes_or_no("loss_confirmed", slot_value)


class ActionAskLossCard(Action):
    """Ask which card, offering the customer's reportable cards as buttons."""

    def name(self) -> str:
        return "action_ask_loss_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        customer_id = verified_customer_id(tracker)
        if not customer_id:
            return []
        try:
            cards = await CrmClient().list_accounts(customer_id)
        except (CrmUnavailable, CrmError):
            dispatcher.utter_message(response="utter_service_unavailable")
            return [ActiveLoop(None), SlotSet("requested_slot", None), *RESET_LOSS_SLOTS]
        reportable = [c for c in cards if c.get("status") == REPORTABLE_STATUS]
        if not reportable:
            dispatcher.utter_message(response="utter_card_loss_no_cards")
            return [ActiveLoop(None), SlotSet("requested_slot", None), *RESET_LOSS_SLOTS]
        buttons = [
            {
                "title": card_label(c),
                "payload": "/inform" + json.dumps({"card_tail": c["last4"]}, ensure_ascii=False),
            }
            for c in reportable
        ]
        dispatcher.utter_message(response="utter_ask_loss_card", buttons=buttons)
        return []


class ActionReportCardLoss(Action):
    def name(self) -> str:
        return "action_report_card_loss"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await self._report(dispatcher, tracker)
        if fraud_pending(tracker):
            # a fraud report froze the card first; now a person takes over
            return [*events, FollowupAction("action_handoff")]
        return events

    async def _report(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        customer_id = verified_customer_id(tracker)
        account_id = tracker.get_slot("loss_card")
        if not customer_id or not account_id:
            return RESET_LOSS_SLOTS
        if tracker.get_slot("loss_confirmed") is not True:
            dispatcher.utter_message(response="utter_card_loss_cancelled")
            return RESET_LOSS_SLOTS
        reason = loss_reason(str(_loss_message(tracker).get("text") or ""))
        try:
            result = await CrmClient().report_card_loss(
                customer_id, int(account_id), reason=reason, channel=channel_of(tracker)
            )
        except (CrmUnavailable, CrmError) as exc:
            logger.error("card loss report failed: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_service_unavailable")
            return RESET_LOSS_SLOTS
        account = result["account"]
        card = card_label(account)
        if result.get("already_reported"):
            reported_at = datetime.fromisoformat(result["reported_at"]).astimezone(BANK_TZ)
            dispatcher.utter_message(
                response="utter_card_already_reported",
                card=card,
                reference=result["reference"],
                reported_at=reported_at.strftime("%Y年%m月%d日 %H:%M"),
            )
            return RESET_LOSS_SLOTS
        dispatcher.utter_message(
            response="utter_card_frozen", card=card, reference=result["reference"]
        )
        if reason == "swallowed":
            dispatcher.utter_message(response="utter_card_loss_next_steps_swallowed")
        elif account["account_type"] == "信用卡":
            dispatcher.utter_message(response="utter_card_loss_next_steps_credit")
        else:
            dispatcher.utter_message(response="utter_card_loss_next_steps_debit")
        return RESET_LOSS_SLOTS
