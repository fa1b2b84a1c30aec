"""Building blocks the per-domain seed modules share: random draws and bulk inserts."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI, UTC
from crm_api.database import Base

INSERT_BATCH = 5000


def draw_unique(seen: set[str], make: Callable[[], str]) -> str:
    """Call `make` until it gives a value not in `seen`; remember and return it."""
    while True:
        value = make()
        if value not in seen:
            seen.add(value)
            return value


def random_moment(
    day: date, rng: random.Random, start_hour: int = 8, end_hour: int = 22
) -> datetime:
    """A random second between the hours of a Shanghai day, in UTC."""
    moment = time(rng.randint(start_hour, end_hour - 1), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.combine(day, moment, SHANGHAI).astimezone(UTC)


def insert_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Bulk-insert `rows` in batches (one huge statement is slow and hits parameter limits)."""
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(insert(model), rows[start : start + INSERT_BATCH])


def move_id_sequences_past_rows(session: Session, tables: Sequence[str]) -> None:
    """After inserting rows with explicit ids, let PostgreSQL's sequences continue after them.

    SQLite needs nothing: its next id already follows the largest one.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )
