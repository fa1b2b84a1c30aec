"""What the conversation so far says: the intent of a customer message, and how many
messages the customer has sent.

A user event in `tracker.events` keeps its parse under ``parse_data``; the latest message
(`tracker.latest_message`) is the parse itself. Either may lack an intent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker

# the intents of a message the bot did not understand
FAILED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})


def event_intent(event: Mapping[str, Any]) -> str | None:
    """The intent name of a user event from `tracker.events` (None for other events)."""
    name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return None if name is None else str(name)


def latest_intent(tracker: Tracker) -> str | None:
    """The intent name of the customer's latest message."""
    name = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return None if name is None else str(name)


def user_turns(tracker: Tracker) -> int:
    """How many messages the customer has sent in this conversation."""
    return sum(1 for event in tracker.events if event.get("event") == "user")
