"""NLU 收件箱 / NLU inbox: real customer messages for trainers to confirm, re-label or drop."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from crm_api.deps import ClockDep, SessionDep, SettingsDep, TrainerStaff
from crm_api.errors import ErrorBody
from trainer.inbox.models import InboxReason
from trainer.inbox.schemas import (
    AcceptRequest,
    InboxItemPublic,
    InboxPage,
    Labels,
    SyncPublic,
)
from trainer.inbox.service import Inbox
from trainer.nlu_files import TrainingFiles
from trainer.tracker import TrackerReader, get_tracker_reader

router = APIRouter(prefix="/trainer/inbox", tags=["训练 trainer"])


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
    reason: InboxReason | None = None,
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
    return Labels.of(TrainingFiles(settings.trainer_repo_dir))


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
    item = inbox.accept(
        item_id,
        staff=staff,
        now=clock(),
        intent=body.intent,
        entities=body.annotated_entities(),
    )
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
