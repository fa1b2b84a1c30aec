"""crm_api's HTTP client of the bot side: the web-chat channel's agent routes and Rasa's
tracker API (the transcript). crm_api never imports Rasa; they meet over HTTP with
`RASA_TOKEN`."""

from __future__ import annotations

import logging
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx

from crm_api.handoff.errors import BotChannelUnavailable

logger = logging.getLogger(__name__)

CHANNEL_PATH = "/webhooks/webchat/agent"


@dataclass
class BotChannel:
    """Talks to a Rasa server (any instance: the state is in its tracker store)."""

    base_url: str
    token: str = field(repr=False)
    _: KW_ONLY
    timeout: float = 10.0
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The JSON object the bot side answered ({} for an empty body)."""
        if not self.token:
            logger.error("handoff.bot_channel RASA_TOKEN is not configured")
            raise BotChannelUnavailable()
        try:
            with httpx.Client(
                base_url=self.base_url, timeout=self.timeout, transport=self.transport
            ) as client:
                response = client.request(
                    method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
                )
        except httpx.HTTPError as exc:
            logger.error(
                "handoff.bot_channel %s %s failed: %s",
                method,
                path.split("/")[-1],
                type(exc).__name__,
            )
            raise BotChannelUnavailable() from None
        if response.status_code >= 400:
            logger.error(
                "handoff.bot_channel %s answered %d", path.split("/")[-1], response.status_code
            )
            raise BotChannelUnavailable()
        data: object = response.json() if response.content else {}
        if not isinstance(data, dict):
            logger.error("handoff.bot_channel %s answered no JSON object", path.split("/")[-1])
            raise BotChannelUnavailable()
        return data

    def _conversation(self, conversation_id: str) -> str:
        return f"{CHANNEL_PATH}/{quote(conversation_id, safe='')}"

    def send_agent_message(
        self, conversation_id: str, *, text: str, agent_name: str, agent_id: int
    ) -> dict[str, Any]:
        """Appends the agent's message to the tracker and pushes it to the customer."""
        return self._request(
            "POST",
            self._conversation(conversation_id) + "/messages",
            json={"text": text, "agent": agent_name, "agent_id": agent_id},
        )

    def send_typing(self, conversation_id: str, *, agent_name: str, typing: bool) -> None:
        self._request(
            "POST",
            self._conversation(conversation_id) + "/typing",
            json={"agent": agent_name, "typing": typing},
        )

    def send_notice(self, conversation_id: str, *, kind: str, agent_name: str) -> None:
        """Tells the customer's page that an agent joined (kind="joined")."""
        self._request(
            "POST",
            self._conversation(conversation_id) + "/notice",
            json={"kind": kind, "agent": agent_name},
        )

    def resume_bot(self, conversation_id: str, *, agent_name: str) -> dict[str, Any]:
        """Ends the pause; the bot says it is back (and asks for a rating)."""
        return self._request(
            "POST", self._conversation(conversation_id) + "/close", json={"agent": agent_name}
        )

    def tracker_events(self, conversation_id: str) -> list[dict[str, Any]]:
        data = self._request(
            "GET",
            f"/conversations/{quote(conversation_id, safe='')}/tracker",
            params={"include_events": "ALL", "token": self.token},
        )
        return list(data.get("events") or [])


def agent_line(agent: str, text: str, ts: str | None) -> dict[str, Any]:
    """An agent's chat line, as the transcript and the console's live feed show it."""
    return {"from": "agent", "agent": agent, "text": text, "ts": ts}


def _iso(timestamp: Any) -> str | None:
    if not isinstance(timestamp, int | float):
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def transcript_from_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every customer, bot and agent turn in order, with the bot's understanding of each
    customer turn (intent, confidence) and the pause/resume markers."""
    entries: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        ts = _iso(event.get("timestamp"))
        if kind == "user":
            text = event.get("text")
            if not text:
                continue
            intent = (event.get("parse_data") or {}).get("intent") or {}
            entries.append(
                {
                    "from": "customer",
                    "text": text,
                    "ts": ts,
                    "intent": intent.get("name"),
                    "confidence": intent.get("confidence"),
                }
            )
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            text = event.get("text") or ""
            buttons = (event.get("data") or {}).get("buttons") or []
            if not text and not buttons:
                continue
            if metadata.get("agent"):
                entries.append(agent_line(metadata["agent"], text, ts))
            else:
                entries.append(
                    {
                        "from": "bot",
                        "text": text,
                        "ts": ts,
                        "buttons": [b.get("title") for b in buttons if isinstance(b, dict)],
                    }
                )
        elif kind in ("pause", "resume"):
            entries.append(
                {
                    "from": "system",
                    "text": "转人工" if kind == "pause" else "机器人恢复",
                    "ts": ts,
                    "marker": kind,
                }
            )
    return entries
