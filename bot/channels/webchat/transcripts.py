"""What the customer sees of a conversation: live replies and the transcript on reload."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.handoff import iso

HISTORY_LIMIT = 200


def public_buttons(buttons: Any) -> list[dict[str, str]]:
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons or []
        if isinstance(b, dict)
    ]


def public_message(message: dict[str, Any]) -> dict[str, Any]:
    """A bot message as the page gets it: text, buttons, image or custom payload only."""
    public: dict[str, Any] = {
        "text": message.get("text"),
        "buttons": public_buttons(message.get("buttons")),
    }
    for key in ("image", "custom"):
        if message.get(key) is not None:
            public[key] = message[key]
    return public


def transcript(events: Iterable[Any], limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The customer-visible messages of a conversation, oldest first (at most ``limit``).

    Bot texts are split on blank lines as `CollectingOutputChannel` does, so a reload shows
    the same bubbles as the live reply. A button payload the customer sent is shown as the
    title of the button it came from.
    """
    entries: list[dict[str, Any]] = []
    last_buttons: list[dict[str, str]] = []
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text
            if not text:
                continue
            titles = {b["payload"]: b["title"] for b in last_buttons}
            entries.append(
                {
                    "from": "user",
                    "text": titles.get(text, text),
                    "buttons": [],
                    "ts": iso(event.timestamp),
                }
            )
            last_buttons = []
        elif isinstance(event, BotUttered):
            buttons = public_buttons(event.data.get("buttons"))
            if buttons:
                last_buttons = buttons
            ts = iso(event.timestamp)
            agent_name = (event.metadata or {}).get("agent")
            if agent_name:
                entries.append(
                    {
                        "from": "agent",
                        "agent": str(agent_name),
                        "text": event.text or "",
                        "buttons": [],
                        "ts": ts,
                    }
                )
                continue
            if event.text and not buttons:
                for part in event.text.strip().split("\n\n"):
                    entries.append({"from": "bot", "text": part, "buttons": [], "ts": ts})
            elif event.text or buttons:
                entries.append(
                    {"from": "bot", "text": event.text or "", "buttons": buttons, "ts": ts}
                )
    return entries[-limit:]
