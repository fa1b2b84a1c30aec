"""NLU 收件箱 / NLU inbox: real customer messages for trainers to confirm, re-label or drop."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, model_validator

from crm_api.deps import ClockDep, SessionDep, SettingsDep, TrainerStaff
from crm_api.errors import ErrorBody
from trainer.inbox.models import InboxItem
from trainer.inbox.service import (
    CANONICAL_VALUES,
    REASON_LABELS,
    RULE_ENTITIES,
    Inbox,
    SyncResult,
)
from trainer.nlu_files import Entity, TrainingFiles
from trainer.tracker import TrackerReader, get_tracker_reader

router = APIRouter(prefix="/trainer/inbox", tags=["训练 trainer"])

Reason = Literal["fallback", "handoff", "low_confidence", "other"]


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
    reason: Reason
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
            reason=item.reason,  # type: ignore[arg-type]
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


class Labels(BaseModel):
    intents: list[IntentLabel]
    entities: list[EntityLabel]


class AcceptRequest(BaseModel):
    """Without `intent` and `entities`: the prediction is correct. With them: a re-label."""

    intent: str | None = Field(default=None, max_length=100)
    entities: list[EntitySpan] | None = Field(default=None, max_length=20)


def get_inbox(
    session: SessionDep,
    settings: SettingsDep,
    reader: Annotated[TrackerReader, Depends(get_tracker_reader)],
) -> Inbox:
    return Inbox(
        session=session,
        reader=reader,
        files=TrainingFiles(settings.trainer_repo_dir),
        low_confidence=settings.trainer_low_confidence,
    )


InboxDep = Annotated[Inbox, Depends(get_inbox)]
_ITEM_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "inbox_item_not_found"},
    409: {"model": ErrorBody, "description": "inbox_item_closed / duplicate / conflict"},
    422: {"model": ErrorBody, "description": "unknown_intent / unknown_entity / bad_span …"},
}


@router.get("", response_model=InboxPage, summary="收件箱（待处理的先按优先级）")
def list_inbox(
    inbox: InboxDep,
    _staff: TrainerStaff,
    status: Literal["new", "accepted", "discarded"] = "new",
    reason: Reason | None = None,
    q: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InboxPage:
    items, total = inbox.page(status=status, reason=reason, query=q, page=page, page_size=page_size)
    return InboxPage(
        items=[InboxItemPublic.of(i) for i in items],
        total=total,
        page=page,
        page_size=page_size,
        counts=inbox.counts(),
    )


@router.post("/sync", response_model=SyncPublic, summary="从对话记录收取新消息")
def sync_inbox(
    inbox: InboxDep, session: SessionDep, clock: ClockDep, _staff: TrainerStaff
) -> SyncPublic:
    result = inbox.sync(now=clock())
    session.commit()
    return SyncPublic.of(result)


@router.get("/labels", response_model=Labels, summary="可选的意图和实体")
def labels(settings: SettingsDep, _staff: TrainerStaff) -> Labels:
    files = TrainingFiles(settings.trainer_repo_dir)
    intents, entities = files.domain()
    _, intent_files = files.index()
    return Labels(
        intents=[IntentLabel(name=i, file=intent_files.get(i)) for i in intents],
        entities=[
            EntityLabel(
                name=e, annotatable=e not in RULE_ENTITIES, values=CANONICAL_VALUES.get(e, [])
            )
            for e in entities
        ],
    )


@router.post(
    "/{item_id}/accept",
    response_model=InboxItemPublic,
    responses=_ITEM_ERRORS,
    summary="确认或改标注，写入训练数据",
)
def accept(
    item_id: int,
    body: AcceptRequest,
    inbox: InboxDep,
    session: SessionDep,
    clock: ClockDep,
    staff: TrainerStaff,
) -> InboxItemPublic:
    entities = (
        None
        if body.entities is None
        else [Entity(e.start, e.end, e.entity, e.value or None) for e in body.entities]
    )
    item = inbox.accept(item_id, staff=staff, now=clock(), intent=body.intent, entities=entities)
    session.commit()
    return InboxItemPublic.of(item)


@router.post(
    "/{item_id}/discard",
    response_model=InboxItemPublic,
    responses={k: v for k, v in _ITEM_ERRORS.items() if k != 422},
    summary="丢弃（不作为训练数据）",
)
def discard(
    item_id: int, inbox: InboxDep, session: SessionDep, clock: ClockDep, staff: TrainerStaff
) -> InboxItemPublic:
    item = inbox.discard(item_id, staff=staff, now=clock())
    session.commit()
    return InboxItemPublic.of(item)
