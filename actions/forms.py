"""What the forms' validations share: taking nothing from a message the form ignores,
stopping a form from a validator, not asking a verified customer what the bank already
knows, and reading a yes/no answer.

The base classes are abstract (their `name` is), so rasa-sdk, which registers every
`Action` subclass it finds, registers only the forms built on them.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent
from actions.identity import verified_customer_id

# what a validator returns (merged into its slots) to stop the form
ABORT_FORM: dict[str, Any] = {"requested_slot": None}


def yes_or_no(slot: str, value: Any) -> dict[str, Any]:
    """A yes/no slot as True or False; None (asked again) when there was no answer."""
    return {slot: None if value is None else bool(value)}


class IgnoredIntentsFormValidation(FormValidationAction):
    """A form whose ``extract_<slot>`` methods, like its domain mappings, take nothing
    from a message with one of the form's ``ignored_intents`` (a repeat request, say):
    the form is then rejected, the rule for that intent answers, and the form asks again.

    ``companion_slots`` maps a required slot to slots its ``extract_`` method sets with it
    (a card's id and its label for the customer). rasa-sdk keeps, of the slots set in a
    turn, only the required ones and what their validators return; a companion follows
    its slot: kept when the slot is accepted, cleared when it is rejected.
    """

    companion_slots: ClassVar[dict[str, tuple[str, ...]]] = {}

    @abstractmethod
    def name(self) -> str:
        """The form's validation action, validate_<form name>."""

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = (domain.get("forms") or {}).get(self.form_name()) or {}
        if latest_intent(tracker) in (form.get("ignored_intents") or []):
            return []
        return await super().get_extraction_events(dispatcher, tracker, domain)

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        validated = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        for slot, companions in self.companion_slots.items():
            if slot not in validated:
                continue
            for companion in companions:
                if companion not in validated:
                    kept = tracker.get_slot(companion) if validated[slot] else None
                    events.append(SlotSet(companion, kept))
        return events


class AbortAwareFormValidation(IgnoredIntentsFormValidation):
    """A form validation whose validators may stop the form (``ABORT_FORM``).

    rasa-sdk appends the next requested slot after validation when ``required_slots`` is
    overridden; if a validator aborted (requested_slot None), that must stay the last word.
    """

    @abstractmethod
    def name(self) -> str:
        """The form's validation action, validate_<form name>."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        aborted = any(
            e.get("event") == "slot"
            and e.get("name") == "requested_slot"
            and e.get("value") is None
            for e in events[:-1]
        )
        if aborted:
            events = [
                e
                for e in events
                if not (e.get("event") == "slot" and e.get("name") == "requested_slot")
            ]
            events.append(SlotSet("requested_slot", None))
        return events


class VerifiedCustomerFormValidation(IgnoredIntentsFormValidation):
    """A form that does not ask a verified customer the slots in ``skipped_when_verified``
    (their phone, say: the bank has it; or the verification itself)."""

    skipped_when_verified: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def name(self) -> str:
        """The form's validation action, validate_<form name>."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if verified_customer_id(tracker):
            return [slot for slot in domain_slots if slot not in self.skipped_when_verified]
        return domain_slots
