"""SQL tracker store that keeps one-time codes, card numbers and identity tokens out of storage.

Configured in endpoints.yml as ``type: bot.tracker_store.MaskingSQLTrackerStore`` (Rasa
instantiates it with ``host=<url>, domain=..., event_broker=..., **other keys``, the same
keywords as ``SQLTrackerStore``).

What is masked before events are written (and published to the event broker):

- one-time codes: six-digit numbers in a user message that carries a ``verification_code``
  entity or that answers a form asking for ``verification_code`` (``requested_slot``);
  the ``verification_code`` entity values and ``verification_code`` slot values;
- card numbers (16–19 digits, last four kept) and ID numbers in user text, entities and
  string slot values — the bank identifies cards by their last four digits, a full card
  number must never sit in a chat transcript;
- the app ``identity_token`` in message metadata (a bearer credential).

Phone numbers are kept: verification spans turns (the phone given in one turn is needed
when the code arrives in the next), and the CRM looks customers up by phone.

Masking works on a copy: the live tracker (which actions validate the code against in the
same turn) is never changed. The copy has the same events in the same order, because
``SQLTrackerStore.save`` decides what is new by counting the stored rows.
"""

from __future__ import annotations

import copy
import logging
from collections import deque
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    EntitiesAdded,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bankkit.masking import OTP_MASK, mask_card_and_id_numbers, mask_one_time_codes

logger = logging.getLogger(__name__)

CODE_SLOT = "verification_code"
CODE_ENTITY = "verification_code"
REQUESTED_SLOT = "requested_slot"
METADATA_SECRET_KEYS = frozenset({"identity_token"})
REDACTED = "[redacted]"


def _mask_value(value: Any, *, code: bool) -> Any:
    """Masks a string (or a number, or a list of them) found in an entity or slot."""
    if isinstance(value, list):
        return [_mask_value(v, code=code) for v in value]
    if isinstance(value, bool) or not isinstance(value, str | int):
        return value
    text = str(value)
    masked = mask_card_and_id_numbers(text)
    if code:
        masked = mask_one_time_codes(masked)
    if masked == text:
        return value
    return masked


def _mask_entities(entities: list[dict[str, Any]], *, code: bool) -> list[dict[str, Any]]:
    masked = []
    for entity in entities:
        entity = dict(entity)
        if entity.get("entity") == CODE_ENTITY and entity.get("value") is not None:
            entity["value"] = OTP_MASK
        elif "value" in entity:
            entity["value"] = _mask_value(entity["value"], code=code)
        if isinstance(entity.get("text"), str):
            entity["text"] = _mask_value(entity["text"], code=code)
        masked.append(entity)
    return masked


def _mask_text(text: Any, *, code: bool) -> Any:
    if not isinstance(text, str):
        return text
    text = mask_card_and_id_numbers(text)
    return mask_one_time_codes(text) if code else text


def _redact_metadata(metadata: Any) -> Any:
    if not isinstance(metadata, dict) or not METADATA_SECRET_KEYS & metadata.keys():
        return metadata
    return {k: (REDACTED if k in METADATA_SECRET_KEYS else v) for k, v in metadata.items()}


def _mask_user_uttered(data: dict[str, Any], *, code_requested: bool) -> dict[str, Any]:
    parse_data = data.get("parse_data") or {}
    entities = parse_data.get("entities") or []
    code = code_requested or any(e.get("entity") == CODE_ENTITY for e in entities)
    data["text"] = _mask_text(data.get("text"), code=code)
    data["metadata"] = _redact_metadata(data.get("metadata"))
    if parse_data:
        parse_data["text"] = _mask_text(parse_data.get("text"), code=code)
        parse_data["entities"] = _mask_entities(entities, code=code)
        if "metadata" in parse_data:
            parse_data["metadata"] = _redact_metadata(parse_data["metadata"])
    return data


def mask_events(events: list[Event]) -> list[Event]:
    """Returns masked copies of ``events`` (same length and order; unchanged ones reused)."""
    masked: list[Event] = []
    requested_slot: Any = None
    for event in events:
        if isinstance(event, UserUttered):
            data = copy.deepcopy(event.as_dict())
            data = _mask_user_uttered(data, code_requested=requested_slot == CODE_SLOT)
            masked.append(Event.from_parameters(data))
        elif isinstance(event, SlotSet):
            if event.key == REQUESTED_SLOT:
                requested_slot = event.value
            if event.key == CODE_SLOT and event.value is not None:
                value: Any = OTP_MASK
            elif isinstance(event.value, dict):
                # session_started_metadata carries the message metadata, incl. the app token
                value = _redact_metadata(event.value)
            else:
                value = _mask_value(event.value, code=False)
            if value is event.value:
                masked.append(event)
            else:
                masked.append(SlotSet(event.key, value, event.timestamp, event.metadata))
        elif isinstance(event, EntitiesAdded):
            data = copy.deepcopy(event.as_dict())
            data["entities"] = _mask_entities(data.get("entities") or [], code=False)
            masked.append(Event.from_parameters(data))
        else:
            if isinstance(event, Restarted | SessionStarted):
                requested_slot = None
            masked.append(event)
    return masked


def masked_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A shallow copy of ``tracker`` whose events are masked; ``tracker`` is not changed."""
    events = mask_events(list(tracker.events))
    clone = copy.copy(tracker)
    clone.events = deque(events, tracker.events.maxlen)
    return clone


class MaskingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that stores (and publishes) masked copies of the events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # endpoints.yml fills host/port/username/password from env vars that are empty
        # for the embedded SQLite default; Rasa would reject an empty port.
        for key in ("host", "port", "username", "password"):
            if kwargs.get(key) == "":
                kwargs[key] = None
        super().__init__(*args, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(masked_copy(tracker))
