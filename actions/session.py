"""Session start: bind an app user's verified identity to the new session."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.identity import customer_id_from_identity_token

logger = logging.getLogger(__name__)


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        metadata: dict[str, Any] = tracker.get_slot("session_started_metadata") or {}
        if metadata:
            # Keep the metadata slot in the new session so later actions see the channel.
            events.append(SlotSet("session_started_metadata", metadata))
        customer_id = customer_id_from_identity_token(metadata.get("identity_token"))
        if customer_id:
            events.extend(await _identity_events(customer_id))
        events.append(ActionExecuted("action_listen"))
        return events


async def _identity_events(customer_id: str) -> list[EventType]:
    name = None
    try:
        customer = await CrmClient().get_customer(customer_id)
        name = customer.get("name")
    except CrmError as exc:
        logger.warning("app token names an unknown customer: %s", exc.code)
        return []
    except CrmUnavailable:
        # The token itself is verified; the greeting just goes without the name.
        logger.error("crm unavailable at session start")
    return [
        SlotSet("customer_id", customer_id),
        SlotSet("customer_verified", True),
        SlotSet("customer_name", name),
    ]
