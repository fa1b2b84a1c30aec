"""The bot side of a human handoff, used by the web-chat channel.

- the agent's messages are appended to the conversation's tracker (``BotUttered`` with
  ``metadata.agent``) under Rasa's per-conversation lock, so the tracker stays the one
  complete transcript;
- closing a handoff appends ``resume`` + ``action_listen`` and runs
  ``action_handoff_resume`` (the bot says it is back and may start the rating form);
- customer messages and typing while the bot is paused are forwarded to crm_api, which
  pushes them to the agent's console.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

import httpx
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)

from bankkit.masking import mask_card_and_id_numbers

logger = logging.getLogger(__name__)

RESUME_ACTION = "action_handoff_resume"
ACTION_LISTEN = "action_listen"


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def paused_before_latest_message(events: list[Any]) -> bool:
    """The conversation is paused and its latest customer message came after the pause
    (so it belongs to the agent, not to the turn that started the handoff)."""
    for event in reversed(events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ConversationPaused):
            return False  # paused by this very turn
    else:
        return False
    paused = False
    for event in events:
        if isinstance(event, ConversationPaused):
            paused = True
        elif isinstance(event, ConversationResumed):
            paused = False
    return paused


def latest_user_message(events: list[Any]) -> UserUttered | None:
    for event in reversed(events):
        if isinstance(event, UserUttered):
            return event
    return None


def agent_names(events: list[Any]) -> str | None:
    """The display name of the agent who spoke last in the current handoff, if any."""
    for event in reversed(events):
        if isinstance(event, ConversationPaused):
            return None
        if isinstance(event, BotUttered) and (event.metadata or {}).get("agent"):
            return str(event.metadata["agent"])
    return None


async def append_agent_message(
    agent: Any, sender_id: str, text: str, agent_name: str, agent_id: Any
) -> BotUttered | None:
    """Appends the agent's message; None if the conversation is not paused (no handoff)."""
    async with agent.lock_store.lock(sender_id):
        tracker = await agent.processor.get_tracker(sender_id)
        if not tracker.is_paused():
            return None
        event = BotUttered(text, data={}, metadata={"agent": agent_name, "agent_id": agent_id})
        tracker.update(event)
        await agent.processor.save_tracker(tracker)
        return event


async def resume_conversation(agent: Any, sender_id: str) -> list[dict[str, Any]] | None:
    """Ends the pause and lets the bot speak; the bot's messages, or None if not paused."""
    processor = agent.processor
    output = CollectingOutputChannel()
    async with agent.lock_store.lock(sender_id):
        tracker = await processor.get_tracker(sender_id)
        if not tracker.is_paused():
            return None
        tracker.update(ConversationResumed())
        tracker.update(ActionExecuted(ACTION_LISTEN))
        if RESUME_ACTION in processor.domain.action_names_or_texts:
            action = processor._get_action(RESUME_ACTION)
            prediction = PolicyPrediction.for_action_name(processor.domain, RESUME_ACTION)
            await processor._run_action(action, tracker, output, processor.nlg, prediction)
            if tracker.followup_action:
                # e.g. the satisfaction form: let the policies run it and listen after it
                await processor._run_prediction_loop(output, tracker)
            latest = tracker.latest_action_name
            if latest != ACTION_LISTEN:
                tracker.update(ActionExecuted(ACTION_LISTEN))
        await processor.save_tracker(tracker)
    return output.messages


class CrmForwarder:
    """Forwards a paused conversation's customer messages and typing to crm_api."""

    def __init__(
        self, crm_url: str | None, service_token: str | None, timeout: float = 5.0
    ) -> None:
        self.base_url = (crm_url or "").rstrip("/")
        self.token = service_token or ""
        self.timeout = timeout
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.token)

    async def _post(self, sender_id: str, body: dict[str, Any]) -> None:
        if not self.configured:
            logger.warning("webchat: CRM_URL/CRM_SERVICE_TOKEN not set; handoff event dropped")
            return
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    f"{self.base_url}/api/v1/handoff/conversations/{sender_id}/events",
                    json=body,
                    headers={"Authorization": f"Bearer {self.token}"},
                )
            if response.status_code >= 400:
                logger.warning("webchat: crm refused handoff event (%d)", response.status_code)
        except httpx.HTTPError as exc:
            logger.error("webchat: handoff event not forwarded: %s", type(exc).__name__)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def message(self, sender_id: str, event: UserUttered) -> None:
        intent = event.intent or {}
        self._spawn(
            self._post(
                sender_id,
                {
                    "type": "message",
                    "text": mask_card_and_id_numbers(event.text or ""),
                    "intent": intent.get("name"),
                    "confidence": intent.get("confidence"),
                    "ts": iso(event.timestamp),
                },
            )
        )

    def typing(self, sender_id: str) -> None:
        self._spawn(self._post(sender_id, {"type": "typing"}))

    async def queue_status(self, sender_id: str) -> dict[str, Any] | None:
        if not self.configured:
            return None
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(
                    f"{self.base_url}/api/v1/handoff/requests/{sender_id}",
                    headers={"Authorization": f"Bearer {self.token}"},
                )
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == 200 else None
