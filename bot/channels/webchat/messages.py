"""What a customer's message may be: plain text, or an intent shortcut the bot allows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.webchat.api import ApiError, empty_message, message_too_long

# Intents a client may send as "/intent" or "/intent{...}" (menu chips, quick replies).
DEFAULT_ALLOWED_PAYLOAD_INTENTS = (
    "affirm",
    "deny",
    "inform",
    "request_human",
    "give_rating",
    "check_balance",
    "query_transactions",
    "query_credit_card",
    "report_card_loss",
)
MAX_MESSAGE_CHARS = 1000
# "/intent" or "/intent{json}" — the exact shapes Rasa unpacks into an intent (+ entities)
PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_\-]*)(?P<entities>\{.*\})?", re.DOTALL)
LEADING_SLASHES = re.compile(r"^[\s/]+")


def clean_text(raw: Any) -> str:
    """Stripped message text; raises ApiError if empty, too long or not a string."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise ApiError(422, "invalid_body", "消息格式错误 / text must be a string")
    text = raw.strip()
    if not text:
        raise empty_message()
    if len(text) > MAX_MESSAGE_CHARS:
        raise message_too_long()
    return text


class PayloadFilter:
    """Lets a "/..." message reach Rasa as an intent only if the bot offered or allows it."""

    def __init__(self, allowed_intents: Iterable[str] = DEFAULT_ALLOWED_PAYLOAD_INTENTS) -> None:
        self.allowed_intents = frozenset(allowed_intents)

    def is_allowed(self, text: str, offered: set[str]) -> bool:
        """Whether a "/..." message may reach Rasa as an intent shortcut."""
        if text in offered:
            return True
        match = PAYLOAD.fullmatch(text)
        if not match or match.group("intent") not in self.allowed_intents:
            return False
        entities = match.group("entities")
        if entities is None:
            return True
        try:
            return isinstance(json.loads(entities), dict)
        except ValueError:
            return False

    async def prepare_text(self, raw: Any, agent: Any, sender_id: str) -> str:
        """Validated text; a "/..." shortcut that is not allowed becomes plain text."""
        text = clean_text(raw)
        if not text.startswith("/"):
            return text
        offered = await offered_payloads(agent, sender_id)
        if self.is_allowed(text, offered):
            return text
        # e.g. "/restart" (would end a human handoff) or "/inform{"customer_id":...}"
        text = LEADING_SLASHES.sub("", text)
        if not text:
            raise empty_message()
        return text


async def offered_payloads(agent: Any, sender_id: str) -> set[str]:
    """Button payloads the bot offered since the customer's last message."""
    tracker = await agent.tracker_store.retrieve(sender_id)
    offered: set[str] = set()
    if tracker is None:
        return offered
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in event.data.get("buttons") or []:
                if isinstance(button.get("payload"), str):
                    offered.add(button["payload"].strip())
    return offered
