"""Handoff request/response schemas."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_api.schemas import LocalDateTime

Reason = Literal["customer_request", "not_understood", "angry", "fraud", "service_error"]


class HandoffCreate(BaseModel):
    """The bot asks for a person."""

    conversation_id: str = Field(min_length=1, max_length=100)
    customer_id: int | None = None
    channel: str = Field(default="web", max_length=20)
    reason: Reason = "customer_request"
    last_message: str | None = Field(default=None, max_length=1000)


class HandoffTicket(BaseModel):
    """Queued: place and expected wait. Unavailable: why (the bot offers a callback)."""

    status: Literal["queued", "unavailable"]
    handoff_id: int | None = None
    position: int | None = None
    expected_wait_minutes: int | None = None
    unavailable_reason: Literal["outside_hours", "no_agents"] | None = None
    service_hours: str


class CallbackCreate(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=100)
    customer_id: int | None = None
    phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    preferred_time: str = Field(min_length=1, max_length=100)
    reason: Reason = "customer_request"
    channel: str = Field(default="web", max_length=20)


class CallbackPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    customer_id: int | None
    phone_masked: str | None = None
    preferred_time: str
    reason: str
    channel: str
    status: str
    created_at: LocalDateTime


class CustomerEvent(BaseModel):
    """What the channel forwards while the bot is paused: a message or typing."""

    type: Literal["message", "typing"]
    text: str | None = Field(default=None, max_length=1000)
    intent: str | None = None
    confidence: float | None = None
    ts: str | None = None


class HandoffSummary(BaseModel):
    """A queue or worklist row (the customer's name is masked until claimed)."""

    id: int
    conversation_id: str
    customer_label: str
    customer_tier: str | None
    channel: str
    reason: str
    reason_label: str
    priority: int
    status: str
    position: int | None = None
    waiting_seconds: int
    last_message: str | None
    claimed_by: int | None
    claimed_by_name: str | None = None
    created_at: LocalDateTime
    claimed_at: LocalDateTime | None


class ActivityPublic(BaseModel):
    id: int
    kind: str
    body: str | None
    staff_name: str | None
    created_at: LocalDateTime


class HandoffDetail(HandoffSummary):
    customer_id: int | None
    summary: str | None
    disposition: str | None
    activities: list[ActivityPublic]


class AgentMessage(BaseModel):
    text: str = Field(min_length=1, max_length=1000)


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=2000)


class TransferRequest(BaseModel):
    to_staff_id: int | None = Field(default=None, description="None: back to the queue")
    note: str | None = Field(default=None, max_length=500)


class CloseRequest(BaseModel):
    summary: str = Field(min_length=1, max_length=2000)
    disposition: str = Field(min_length=1, max_length=30)


class Option(BaseModel):
    code: str
    label: str


class ConsoleConfig(BaseModel):
    quick_replies: list[str]
    dispositions: list[Option]
    service_hours: str


class Transcript(BaseModel):
    handoff_id: int
    conversation_id: str
    entries: list[dict[str, Any]]


class Customer360(BaseModel):
    handoff_id: int
    customer_id: int | None
    verified: bool
    sections: dict[str, Any]
