"""Request and response bodies of the NLU inbox."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from trainer.inbox.models import InboxItem, InboxReason
from trainer.inbox.service import CANONICAL_VALUES, REASON_LABELS, RULE_ENTITIES, SyncResult
from trainer.nlu_files import Entity, TrainingFiles


class EntitySpan(BaseModel):
    start: int = Field(ge=0)
    end: int = Field(gt=0)
    entity: str = Field(min_length=1, max_length=50)
    value: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _ordered(self) -> EntitySpan:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class PredictedEntity(BaseModel):
    start: int
    end: int
    entity: str | None
    value: object = None
    extractor: str | None = None


class Ranked(BaseModel):
    name: str
    confidence: float


class InboxItemPublic(BaseModel):
    id: int
    text: str = Field(description="customer text; phone/card/ID numbers and codes masked")
    predicted_intent: str | None
    confidence: float | None
    intent_ranking: list[Ranked]
    entities: list[PredictedEntity]
    reason: InboxReason
    reason_label: str
    occurrences: int
    channel: str | None
    conversation_id: str | None = Field(description="the latest conversation it came from")
    first_seen_at: datetime
    last_seen_at: datetime
    status: str
    final_intent: str | None
    final_entities: list[EntitySpan] | None
    written_to: str | None
    reviewed_at: datetime | None

    @classmethod
    def of(cls, item: InboxItem) -> InboxItemPublic:
        return cls(
            id=item.id,
            text=item.text,
            predicted_intent=item.predicted_intent,
            confidence=item.confidence,
            intent_ranking=[Ranked(**r) for r in item.intent_ranking or []],
            entities=[PredictedEntity(**e) for e in item.entities or []],
            reason=item.reason,
            reason_label=REASON_LABELS.get(item.reason, item.reason),
            occurrences=item.occurrences,
            channel=item.channel,
            conversation_id=item.conversation_id,
            first_seen_at=item.first_seen_at,
            last_seen_at=item.last_seen_at,
            status=item.status,
            final_intent=item.final_intent,
            final_entities=[EntitySpan(**e) for e in item.final_entities or []] or None,
            written_to=item.written_to,
            reviewed_at=item.reviewed_at,
        )


class InboxPage(BaseModel):
    items: list[InboxItemPublic]
    total: int
    page: int
    page_size: int
    counts: dict[str, int] = Field(description="new items by reason")


class SyncPublic(BaseModel):
    events_read: int
    messages: int
    new_items: int
    updated_items: int
    already_known: int
    last_event_id: int

    @classmethod
    def of(cls, result: SyncResult) -> SyncPublic:
        return cls(**result.__dict__)


class IntentLabel(BaseModel):
    name: str
    file: str | None = Field(description="the data file its examples are in")


class EntityLabel(BaseModel):
    name: str
    annotatable: bool = Field(description="false: found by rules, never annotated")
    values: list[str] = Field(description="canonical values; empty: the text itself")


class ReasonLabel(BaseModel):
    name: str = Field(examples=["fallback"])
    label: str = Field(examples=["未识别（兜底）"])


class Labels(BaseModel):
    intents: list[IntentLabel]
    entities: list[EntityLabel]
    reasons: list[ReasonLabel] = Field(description="why a message is in the inbox, worst first")

    @classmethod
    def of(cls, files: TrainingFiles) -> Labels:
        """The domain's labels, each intent with the data file its examples are in."""
        intents, entities = files.domain()
        _, intent_files = files.index()
        return cls(
            intents=[IntentLabel(name=i, file=intent_files.get(i)) for i in intents],
            entities=[
                EntityLabel(
                    name=e, annotatable=e not in RULE_ENTITIES, values=CANONICAL_VALUES.get(e, [])
                )
                for e in entities
            ],
            reasons=[ReasonLabel(name=r, label=label) for r, label in REASON_LABELS.items()],
        )


class AcceptRequest(BaseModel):
    """Without `intent` and `entities`: the prediction is correct. With them: a re-label."""

    intent: str | None = Field(default=None, max_length=100)
    entities: list[EntitySpan] | None = Field(default=None, max_length=20)

    def annotated_entities(self) -> list[Entity] | None:
        """The re-labelled entity spans (an empty value: the text itself), or None."""
        if self.entities is None:
            return None
        return [Entity(e.start, e.end, e.entity, e.value or None) for e in self.entities]
