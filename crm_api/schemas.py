"""Types shared by the resource schemas."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import PlainSerializer, WithJsonSchema

from crm_api.clock import SHANGHAI
from crm_api.database import CENT

# where a customer met the bank: the web chat, the app, a branch, or another REST client
Channel = Literal["web", "app", "branch", "rest"]


def _money_to_str(value: Decimal) -> str:
    return str(value.quantize(CENT))


# Money goes over the wire as a string with exactly two decimals, e.g. "12345.67".
MoneyStr = Annotated[
    Decimal,
    PlainSerializer(_money_to_str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["12345.67"]}),
]


def _to_shanghai(value: datetime) -> str:
    return value.astimezone(SHANGHAI).isoformat()


# Datetimes are sent in Beijing time with the offset (…+08:00) so they can be shown as-is.
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(_to_shanghai, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "examples": ["2026-11-29T20:15:00+08:00"]}
    ),
]
