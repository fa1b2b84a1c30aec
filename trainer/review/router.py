"""Conversation review (trainers): browse conversations, read one, save it as a test story."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from crm_api.deps import ClockDep, SessionDep, SettingsDep, TrainerStaff
from trainer.review import service as review
from trainer.review.schemas import (
    ConversationPage,
    ReviewIntents,
    TestStoryCreate,
    TestStorySaved,
    Transcript,
)
from trainer.tracker import TrackerReader, get_tracker_reader

router = APIRouter(prefix="/trainer", tags=["训练 trainer"])

PAGE_SIZE = 20
TrackerDep = Annotated[TrackerReader, Depends(get_tracker_reader)]


@router.get("/conversations", summary="对话复盘：对话列表", response_model=ConversationPage)
def list_conversations(
    staff: TrainerStaff,
    reader: TrackerDep,
    session: SessionDep,
    intent: Annotated[str | None, Query(max_length=100, examples=["check_balance"])] = None,
    fallback: Annotated[bool, Query(description="only conversations with a fallback")] = False,
    handoff: Annotated[bool, Query(description="only conversations handed to a human")] = False,
    low_csat: Annotated[bool, Query(description="only conversations rated 1 or 2")] = False,
    q: Annotated[str | None, Query(max_length=50, description="customer text or id")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> dict[str, object]:
    filters = review.ConversationFilter(
        intent=intent or None,
        fallback=fallback,
        handoff=handoff,
        low_csat=low_csat,
        q=(q or "").strip() or None,
    )
    items, total = review.list_conversations(
        reader=reader,
        session=session,
        filters=filters,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    return {"items": items, "total": total, "page": page, "page_size": PAGE_SIZE}


@router.get("/review/intents", summary="对话复盘：可选意图", response_model=ReviewIntents)
def review_intents(staff: TrainerStaff, settings: SettingsDep) -> dict[str, object]:
    return {"intents": review.known_intents(settings.trainer_repo_dir)}


@router.get(
    "/conversations/{sender_id}",
    summary="对话复盘：对话全文（已脱敏）",
    response_model=Transcript,
    responses={404: {"description": "conversation_not_found"}},
)
def get_conversation(
    sender_id: str,
    staff: TrainerStaff,
    reader: TrackerDep,
    session: SessionDep,
    clock: ClockDep,
) -> dict[str, object]:
    transcript = review.get_transcript(
        reader=reader, session=session, sender_id=sender_id, staff=staff, now=clock()
    )
    session.commit()
    return transcript


@router.post(
    "/conversations/{sender_id}/test-story",
    summary="对话复盘：保存为测试故事",
    status_code=201,
    response_model=TestStorySaved,
    responses={
        404: {"description": "conversation_not_found"},
        409: {"description": "story_exists"},
        422: {"description": "story_name_invalid / unknown_intent / message_not_in_conversation"},
    },
)
def save_test_story(
    sender_id: str,
    body: TestStoryCreate,
    staff: TrainerStaff,
    reader: TrackerDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> review.SavedStory:
    saved = review.save_test_story(
        reader=reader,
        session=session,
        repo_dir=settings.trainer_repo_dir,
        sender_id=sender_id,
        name=body.name,
        corrections=body.intents,
        staff=staff,
        now=clock(),
    )
    session.commit()
    return saved
