"""Read-only access to Rasa's SQL tracker store (the `events` table of SQLTrackerStore).

crm_api reads the table directly, with its own engine, instead of going through the Rasa
server: the inbox and the conversation review need scans by event id and by sender, which
Rasa's HTTP API does not offer. The columns are Rasa 3.6's `SQLTrackerStore.SQLEvent`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, inspect, select
from sqlalchemy.engine import URL, Engine, create_engine
from starlette.requests import Request

from bankkit.masking import align_entity_spans, mask_value

_metadata = MetaData()
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class TrackerEvent:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    data: dict[str, Any]


def masked_entities(parse_data: Mapping[str, Any], text: str) -> list[dict[str, Any]]:
    """The entities Rasa predicted for a stored message: spans aligned to the stored
    (masked) text, values masked."""
    return [
        {
            "start": entity["start"],
            "end": entity["end"],
            "entity": entity.get("entity"),
            "value": mask_value(entity.get("value")),
            "extractor": entity.get("extractor"),
        }
        for entity in align_entity_spans(parse_data.get("entities"), text)
    ]


def load_data(raw: str | None) -> dict[str, Any]:
    """An event's `data` column as a dict ({} if empty or not a JSON object)."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _event(row: Any) -> TrackerEvent:
    return TrackerEvent(
        row.id, row.sender_id, row.type_name, row.timestamp or 0.0, load_data(row.data)
    )


class TrackerReader:
    """Reads events; an absent table (Rasa never started) reads as no events."""

    def __init__(self, url: URL | str, engine: Engine | None = None) -> None:
        self.engine = engine or create_engine(url, pool_pre_ping=True)

    def has_table(self) -> bool:
        return inspect(self.engine).has_table("events")

    def events_after(self, last_id: int, limit: int = 5000) -> list[TrackerEvent]:
        """Events with id > `last_id`, oldest first, at most `limit`."""
        if not self.has_table():
            return []
        query = select(EVENTS).where(EVENTS.c.id > last_id).order_by(EVENTS.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [_event(row) for row in conn.execute(query)]

    def conversation(self, sender_id: str) -> list[TrackerEvent]:
        """Every event of one conversation, in order."""
        if not self.has_table():
            return []
        query = select(EVENTS).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)
        with self.engine.connect() as conn:
            return [_event(row) for row in conn.execute(query)]

    def iter_events(self, batch: int = 5000) -> Iterator[TrackerEvent]:
        last = 0
        while True:
            rows = self.events_after(last, batch)
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def max_event_id(self) -> int:
        if not self.has_table():
            return 0
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(EVENTS.c.id))).scalar() or 0)

    def dispose(self) -> None:
        self.engine.dispose()


_reader_lock = threading.Lock()


def get_tracker_reader(request: Request) -> TrackerReader:
    """FastAPI dependency: one reader (one engine and pool) per app, made on first use."""
    state = request.app.state
    reader: TrackerReader | None = getattr(state, "tracker_reader", None)
    if reader is None:
        with _reader_lock:
            reader = getattr(state, "tracker_reader", None)
            if reader is None:
                reader = TrackerReader(state.settings.tracker_url)
                state.tracker_reader = reader
    return reader
