"""The dashboard's answer: satisfaction and complaint aggregates for one date range."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from crm_api.schemas import LocalDateTime

Granularity = Literal["day", "week"]


class LowComment(BaseModel):
    id: int
    score: int
    comment: str
    channel: str
    kind: str
    answered_at: LocalDateTime


class Dashboard(BaseModel):
    start: date
    end: date
    channel: str | None
    granularity: Granularity
    channels: list[str]
    csat: dict[str, Any]
    trend: list[dict[str, Any]]
    distribution: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    by_intent: list[dict[str, Any]]
    nps: dict[str, Any]
    complaints: list[dict[str, Any]]
    sla: dict[str, Any]
    low_comments: list[LowComment]
    generated_at: LocalDateTime
