"""When the NLU is unsure: a clarifying question with the two likeliest meanings.

Runs on ``nlu_fallback`` and on ``out_of_scope`` (where it says what the bot can do).
On the second failed turn in a row (the previous customer message was also
``nlu_fallback`` or ``out_of_scope``) it offers a human instead
(``utter_offer_human``, button ``/request_human``).

Buttons: an intent becomes ``/<intent>`` (the web channel accepts a payload it offered
in the previous bot message); an FAQ topic becomes the topic's canonical question as
plain text, so clicking it asks that question and the NLU picks the topic again.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import FAILED_INTENTS, event_intent, latest_intent

# An intent can be offered as a button when the domain has a title for it: the response
# utter_intent_title_<intent> (customer-facing wording lives in the domain)
TITLE_PREFIX = "utter_intent_title_"


def button_titles(domain: DomainDict) -> dict[str, str]:
    """Intent → the button title the domain gives it."""
    titles: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        if name.startswith(TITLE_PREFIX) and variants and variants[0].get("text"):
            titles[name[len(TITLE_PREFIX) :]] = str(variants[0]["text"])
    return titles


def _failed_turns_in_a_row(tracker: Tracker) -> int:
    """How many of the latest customer messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = event_intent(event)
        if intent in FAILED_INTENTS:
            count += 1
        else:
            break
    return count


def clarification_buttons(
    parse_data: dict[str, Any], titles: dict[str, str], limit: int = 2
) -> list[dict[str, str]]:
    """Buttons for the ``limit`` likeliest meanings in a parse result that can be offered."""
    buttons: list[dict[str, str]] = []
    for ranked in parse_data.get("intent_ranking") or []:
        name = ranked.get("name")
        if name == "faq":
            prediction = ((parse_data.get("response_selector") or {}).get("faq") or {}).get(
                "response"
            ) or {}
            question = prediction.get("canonical_question")
            if question:
                buttons.append({"title": question, "payload": question})
        elif name in titles:
            buttons.append({"title": titles[name], "payload": f"/{name}"})
        if len(buttons) == limit:
            break
    return buttons


class ActionClarify(Action):
    """Asks which of the two likeliest meanings was meant, or offers a human."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if _failed_turns_in_a_row(tracker) >= 2:
            dispatcher.utter_message(response="utter_offer_human")
            return []
        if latest_intent(tracker) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        buttons = clarification_buttons(tracker.latest_message or {}, button_titles(domain))
        if buttons:
            dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_clarify_none")
        return []
