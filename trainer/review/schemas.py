"""Schemas of the conversation review (trainer console)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from crm_api.schemas import LocalDateTime


class ConversationSummary(BaseModel):
    sender_id: str = Field(description="Rasa sender id = satisfaction conversation_id")
    channel: str | None = Field(examples=["webchat", "rest"])
    started_at: LocalDateTime | None
    last_at: LocalDateTime | None
    customer_messages: int
    intents: list[str] = Field(description="intents the NLU predicted, base names")
    fallback: bool = Field(description="the NLU fell back (nlu_fallback) at least once")
    handoff: bool = Field(description="action_handoff ran: the customer asked for a human")
    csat: int | None = Field(description="lowest 1–5 rating given in this conversation")
    preview: str = Field(description="first customer message, masked")


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    total: int
    page: int
    page_size: int


class EntityPublic(BaseModel):
    entity: str | None
    value: Any = Field(description="masked")
    start: int | None
    end: int | None
    extractor: str | None


class IntentGuess(BaseModel):
    intent: str | None
    confidence: float | None


class TranscriptEntry(BaseModel):
    """One line of the transcript; which fields are set depends on `kind`."""

    kind: Literal["customer", "bot", "agent", "action", "rejected", "slot", "form", "marker"]
    event_id: int = Field(description="id of the tracker event (key of intent corrections)")
    at: LocalDateTime | None
    text: str | None = Field(default=None, description="masked")
    intent: str | None = None
    retrieval_intent: str | None = Field(default=None, examples=["faq/card_activation"])
    confidence: float | None = None
    fallback: bool | None = None
    entities: list[EntityPublic] | None = None
    alternatives: list[IntentGuess] | None = None
    buttons: list[str] | None = None
    response: str | None = None
    agent: str | None = None
    name: str | None = Field(default=None, description="action, slot or form name")
    policy: str | None = None
    value: Any = Field(default=None, description="slot value, masked")
    marker: str | None = Field(
        default=None, examples=["pause", "resume", "session_started", "restart", "rewind"]
    )


class Transcript(BaseModel):
    conversation: ConversationSummary
    entries: list[TranscriptEntry]


class TestStoryCreate(BaseModel):
    name: str = Field(
        min_length=1, max_length=60, examples=["信用卡账单_验证后查询"], description="story name"
    )
    intents: dict[int, str] = Field(
        default_factory=dict,
        description="event_id of a customer message → the intent it should have had",
        examples=[{"1042": "faq/card_activation"}],
    )


class TestStorySaved(BaseModel):
    path: str = Field(examples=["tests/stories/reviewed/test_信用卡账单_验证后查询.yml"])
    name: str
    stories: int = Field(description="one story per session of the conversation")
    content: str = Field(description="the YAML written")


class ReviewIntents(BaseModel):
    intents: list[str] = Field(description="domain intents and faq/<topic> retrieval intents")
