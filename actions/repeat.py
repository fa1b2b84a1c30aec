"""Repeat: 「你刚才说什么」「再说一遍」 sends the bot's last answer again.

The last answer is every message the bot sent after the customer's previous message
(text, buttons, custom payloads), re-sent as it was, with the response name it carried.
A previous repeat request is skipped, so asking twice still repeats the answer and not the
repetition. Inside a form the form asks its question again right after this action (the
condition-free rule in data/rules/repair.yml), so the question the form sent last is left
out here rather than shown twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import event_intent

REPEAT_INTENT = "repeat"
LISTEN = "action_listen"

# the arguments of CollectingDispatcher.utter_message a message's metadata must not shadow
_MESSAGE_ARGUMENTS = frozenset(
    {"text", "image", "json_message", "template", "response", "attachment", "buttons", "elements"}
)


def _previous_turn(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events between the customer's last message that is not a repeat request (or
    the start of the conversation) and the customer message that follows it."""
    user_positions = [i for i, event in enumerate(events) if event.get("event") == "user"]
    # the latest user message is the current repeat request
    earlier = user_positions[:-1]
    start = -1
    for position in reversed(earlier):
        if event_intent(events[position]) != REPEAT_INTENT:
            start = position
            break
    later = [i for i in user_positions if i > start]
    end = later[0] if later else len(events)
    return list(events[start + 1 : end])


def _form_question(turn: Sequence[dict[str, Any]], active_loop: str) -> int:
    """How many of the turn's last messages are the question the active form asked.

    A form's events follow its ActionExecuted; the messages of its validation come before
    the validation's slot events and the question's messages come last, so the question
    is the run of messages at the end of the turn, when the form sent them.
    """
    events = list(turn)
    while events and events[-1].get("event") == "action" and events[-1].get("name") == LISTEN:
        events.pop()
    count = 0
    while count < len(events) and events[len(events) - 1 - count].get("event") == "bot":
        count += 1
    earlier = [e.get("name") for e in events[: len(events) - count] if e.get("event") == "action"]
    return count if earlier and earlier[-1] == active_loop else 0


def last_answer(events: Sequence[dict[str, Any]], active_loop: str | None) -> list[dict[str, Any]]:
    """The bot messages of the previous turn, without the question the active form asked
    last (the form asks it again after the repeat)."""
    turn = _previous_turn(events)
    messages = [event for event in turn if event.get("event") == "bot"]
    if active_loop:
        messages = messages[: len(messages) - _form_question(turn, active_loop)]
    return messages


def resend(dispatcher: CollectingDispatcher, message: dict[str, Any]) -> None:
    """Send a BotUttered event's message again, as the customer saw it."""
    data = message.get("data") or {}
    metadata = {
        key: value
        for key, value in (message.get("metadata") or {}).items()
        if key not in _MESSAGE_ARGUMENTS and value
    }
    extra = {key: data[key] for key in ("quick_replies",) if data.get(key)}
    dispatcher.utter_message(
        text=message.get("text"),
        image=data.get("image"),
        json_message=data.get("custom"),
        attachment=data.get("attachment"),
        buttons=data.get("buttons") or [],
        elements=data.get("elements") or [],
        **extra,
        **metadata,
    )


class ActionRepeatLast(Action):
    """Send the bot's last answer again, after a short lead-in."""

    def name(self) -> str:
        return "action_repeat_last"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        active_loop = tracker.active_loop_name
        messages = last_answer(tracker.events, active_loop)
        if not messages and not active_loop:
            dispatcher.utter_message(response="utter_repeat_nothing")
            return []
        dispatcher.utter_message(response="utter_repeat_intro")
        for message in messages:
            resend(dispatcher, message)
        return []
