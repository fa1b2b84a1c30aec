"""Conversation review: browse the conversations in Rasa's tracker store, read one, save
one as a test story in `tests/stories/reviewed/`.

The list is aggregated in SQL over the indexed columns of the `events` table (sender id,
type, intent, action name); only the page's first customer messages are parsed as JSON.
Everything a trainer sees goes through `masking.mask_text` / `mask_value`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from bankkit.masking import mask_text, mask_value
from crm_api.clock import SHANGHAI, UTC
from crm_api.satisfaction.models import SatisfactionResponse
from crm_api.staff.audit import record_staff_action
from crm_api.staff.models import StaffUser
from trainer.errors import (
    ConversationNotFound,
    EmptyConversation,
    InvalidStoryName,
    SearchTooSpecific,
    StoryExists,
    UnknownIntent,
    UnknownMessage,
)
from trainer.nlu_files import TrainingFiles
from trainer.stories import (
    StoryHeader,
    conversation_to_test_stories,
    story_file_name,
    valid_story_name,
)
from trainer.tracker import EVENTS, TrackerEvent, TrackerReader, load_data, masked_entities

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
HANDOFF_ACTION = "action_handoff"
LOW_CSAT = 2  # a score of 1 or 2 out of 5
# the low-CSAT filter looks at this many of the latest low ratings (an IN list)
LOW_CSAT_LIMIT = 20_000
PREVIEW_CHARS = 60
REVIEWED_DIR = Path("tests") / "stories" / "reviewed"
# four digits in a row could narrow down a masked phone or card number by searching
_SEARCH_DIGITS = re.compile(r"[0-9０-９]{4,}")
_HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start", "action_extract_slots"})


@dataclass(frozen=True)
class ConversationFilter:
    intent: str | None = None
    fallback: bool = False
    handoff: bool = False
    low_csat: bool = False
    q: str | None = None


@dataclass(frozen=True)
class SavedStory:
    path: str  # relative to the trainer repo
    name: str
    stories: int
    content: str


def _time(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _json_fragment(text: str) -> str:
    """`text` as it appears inside Rasa's JSON (`json.dumps` escapes non-ASCII)."""
    return json.dumps(text)[1:-1]


def _low_csat_ids(session: Session) -> list[str]:
    query = (
        select(SatisfactionResponse.conversation_id)
        .where(
            SatisfactionResponse.kind == "conversation",
            SatisfactionResponse.score <= LOW_CSAT,
            SatisfactionResponse.conversation_id.is_not(None),
        )
        .order_by(SatisfactionResponse.id.desc())
        .limit(LOW_CSAT_LIMIT)
    )
    return [row for row in session.scalars(query) if row]


def csat_scores(*, session: Session, sender_ids: list[str]) -> dict[str, int]:
    """The lowest rating each conversation was given (most have one)."""
    if not sender_ids:
        return {}
    query = (
        select(SatisfactionResponse.conversation_id, func.min(SatisfactionResponse.score))
        .where(
            SatisfactionResponse.kind == "conversation",
            SatisfactionResponse.conversation_id.in_(sender_ids),
            SatisfactionResponse.score.is_not(None),
        )
        .group_by(SatisfactionResponse.conversation_id)
    )
    return {cid: int(score) for cid, score in session.execute(query) if score is not None}


def list_conversations(
    *,
    reader: TrackerReader,
    session: Session,
    filters: ConversationFilter,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """Conversation summaries, newest activity first, and the number that match."""
    if filters.q and _SEARCH_DIGITS.search(filters.q):
        raise SearchTooSpecific()
    if not reader.has_table():
        return [], 0
    e = EVENTS.c
    is_user = e.type_name == "user"
    customer_messages = func.sum(case((is_user, 1), else_=0))
    fell_back = func.max(case((and_(is_user, e.intent_name == FALLBACK_INTENT), 1), else_=0))
    handed_off = func.max(
        case((and_(e.type_name == "action", e.action_name == HANDOFF_ACTION), 1), else_=0)
    )
    last_at = func.max(e.timestamp)
    query = (
        select(
            e.sender_id,
            func.min(e.timestamp).label("started"),
            last_at.label("last"),
            customer_messages.label("customer_messages"),
            fell_back.label("fallback"),
            handed_off.label("handoff"),
            func.min(case((is_user, e.id))).label("first_user_id"),
        )
        .group_by(e.sender_id)
        .having(customer_messages > 0)
    )
    if filters.fallback:
        query = query.having(fell_back == 1)
    if filters.handoff:
        query = query.having(handed_off == 1)
    if filters.intent:
        base, _, topic = filters.intent.partition("/")
        matches = and_(is_user, e.intent_name == base)
        if topic:
            # retrieval intents (faq/<topic>) are only in the JSON; ASCII, so LIKE finds them
            matches = and_(
                matches,
                e.data.contains(
                    f'"full_retrieval_intent_name": "{filters.intent}"', autoescape=True
                ),
            )
        query = query.having(func.sum(case((matches, 1), else_=0)) > 0)
    if filters.q:
        in_text = and_(is_user, e.data.icontains(_json_fragment(filters.q), autoescape=True))
        query = query.having(
            or_(
                func.sum(case((in_text, 1), else_=0)) > 0,
                func.max(case((e.sender_id.icontains(filters.q, autoescape=True), 1), else_=0))
                == 1,
            )
        )
    if filters.low_csat:
        ids = _low_csat_ids(session)
        if not ids:
            return [], 0
        query = query.where(e.sender_id.in_(ids))
    with reader.engine.connect() as conn:
        # the number of matches comes with the page (a window over the groups): one scan
        page_query = query.add_columns(func.count().over().label("total"))
        rows = list(
            conn.execute(
                page_query.order_by(last_at.desc(), e.sender_id).offset(offset).limit(limit)
            )
        )
        if rows:
            total = int(rows[0].total)
        elif offset:  # past the last page
            total = int(
                conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
            )
        else:
            total = 0
        sender_ids = [row.sender_id for row in rows]
        intents: dict[str, set[str]] = {sid: set() for sid in sender_ids}
        first_messages: dict[int, dict[str, Any]] = {}
        if rows:
            for sid, intent in conn.execute(
                select(e.sender_id, e.intent_name)
                .where(e.sender_id.in_(sender_ids), is_user, e.intent_name.is_not(None))
                .distinct()
            ):
                intents[sid].add(intent)
            first_ids = [row.first_user_id for row in rows if row.first_user_id is not None]
            for event_id, data in conn.execute(select(e.id, e.data).where(e.id.in_(first_ids))):
                first_messages[event_id] = load_data(data)
    scores = csat_scores(session=session, sender_ids=sender_ids)
    items = []
    for row in rows:
        first = first_messages.get(row.first_user_id, {})
        items.append(
            {
                "sender_id": row.sender_id,
                "channel": first.get("input_channel"),
                "started_at": _time(row.started),
                "last_at": _time(row.last),
                "customer_messages": int(row.customer_messages),
                "intents": sorted(intents.get(row.sender_id, ())),
                "fallback": bool(row.fallback),
                "handoff": bool(row.handoff),
                "csat": scores.get(row.sender_id),
                "preview": mask_text(first.get("text") or "")[:PREVIEW_CHARS],
            }
        )
    return items, total


def transcript_entries(events: list[TrackerEvent]) -> list[dict[str, Any]]:
    """What happened, in order, masked: messages, actions, slots, forms, handoff markers."""
    entries: list[dict[str, Any]] = []
    for event in events:
        data, kind = event.data, event.type_name
        base = {"event_id": event.id, "at": _time(event.timestamp)}
        if kind == "user":
            parse_data = data.get("parse_data") or {}
            intent = parse_data.get("intent") or {}
            entries.append(
                {
                    **base,
                    "kind": "customer",
                    "text": mask_text(data.get("text") or ""),
                    "intent": intent.get("name"),
                    "retrieval_intent": intent.get("full_retrieval_intent_name"),
                    "confidence": intent.get("confidence"),
                    "entities": masked_entities(parse_data, data.get("text") or ""),
                    "fallback": intent.get("name") == FALLBACK_INTENT,
                    "alternatives": [
                        {"intent": r.get("name"), "confidence": r.get("confidence")}
                        for r in (parse_data.get("intent_ranking") or [])[1:3]
                        if isinstance(r, dict)
                    ],
                }
            )
        elif kind == "bot":
            metadata = data.get("metadata") or {}
            buttons = (data.get("data") or {}).get("buttons") or []
            text = mask_text(data.get("text") or "")
            if metadata.get("agent"):
                entries.append({**base, "kind": "agent", "agent": metadata["agent"], "text": text})
            elif text or buttons:
                entries.append(
                    {
                        **base,
                        "kind": "bot",
                        "text": text,
                        "buttons": [
                            mask_text(str(b.get("title") or ""))
                            for b in buttons
                            if isinstance(b, dict)
                        ],
                        "response": metadata.get("utter_action"),
                    }
                )
        elif kind == "action" and data.get("name") not in _HIDDEN_ACTIONS:
            entries.append(
                {
                    **base,
                    "kind": "action",
                    "name": data.get("name"),
                    "policy": data.get("policy"),
                    "confidence": data.get("confidence"),
                }
            )
        elif kind == "action_execution_rejected":
            entries.append({**base, "kind": "rejected", "name": data.get("name")})
        elif kind == "slot":
            entries.append(
                {
                    **base,
                    "kind": "slot",
                    "name": data.get("name"),
                    "value": mask_value(data.get("value")),
                }
            )
        elif kind == "active_loop":
            entries.append({**base, "kind": "form", "name": data.get("name")})
        elif kind in ("pause", "resume", "session_started", "restart", "rewind"):
            entries.append({**base, "kind": "marker", "marker": kind})
    return entries


def _summary(events: list[TrackerEvent], csat: int | None) -> dict[str, Any]:
    users = [e for e in events if e.type_name == "user"]
    intents = {(e.data.get("parse_data") or {}).get("intent", {}).get("name") for e in users}
    first = users[0].data if users else {}
    return {
        "sender_id": events[0].sender_id,
        "channel": first.get("input_channel"),
        "started_at": _time(events[0].timestamp),
        "last_at": _time(events[-1].timestamp),
        "customer_messages": len(users),
        "intents": sorted(i for i in intents if i),
        "fallback": FALLBACK_INTENT in intents,
        "handoff": any(
            e.type_name == "action" and e.data.get("name") == HANDOFF_ACTION for e in events
        ),
        "csat": csat,
        "preview": mask_text(first.get("text") or "")[:PREVIEW_CHARS],
    }


def _audit(
    *, session: Session, staff: StaffUser, action: str, now: datetime, **detail: Any
) -> None:
    record_staff_action(session=session, staff=staff, action=action, now=now, **detail)


def get_transcript(
    *,
    reader: TrackerReader,
    session: Session,
    sender_id: str,
    staff: StaffUser,
    now: datetime,
) -> dict[str, Any]:
    events = reader.conversation(sender_id)
    if not events:
        raise ConversationNotFound()
    csat = csat_scores(session=session, sender_ids=[sender_id]).get(sender_id)
    # reading a customer's conversation is access to customer data: audit it
    _audit(
        session=session,
        staff=staff,
        action="trainer.view_conversation",
        now=now,
        conversation_id=sender_id,
    )
    return {"conversation": _summary(events, csat), "entries": transcript_entries(events)}


def known_intents(repo_dir: Path) -> list[str]:
    """The domain's intents and the `faq/<topic>` retrieval intents of data/faq/*.yml."""
    return TrainingFiles(repo_dir).intents()


def save_test_story(
    *,
    reader: TrackerReader,
    session: Session,
    repo_dir: Path,
    sender_id: str,
    name: str,
    corrections: Mapping[int, str],
    staff: StaffUser,
    now: datetime,
) -> SavedStory:
    """Writes `tests/stories/reviewed/test_<name>.yml`; never overwrites a story."""
    name = name.strip()
    if not valid_story_name(name):
        raise InvalidStoryName()
    events = reader.conversation(sender_id)
    if not events:
        raise ConversationNotFound()
    user_ids = {e.id for e in events if e.type_name == "user"}
    if any(event_id not in user_ids for event_id in corrections):
        raise UnknownMessage()
    if corrections:
        allowed = set(known_intents(repo_dir))
        unknown = sorted({i for i in corrections.values() if i not in allowed})
        if unknown:
            raise UnknownIntent(intents=unknown)
    first_user = next((e for e in events if e.type_name == "user"), None)
    header = StoryHeader(
        sender_id=sender_id,
        channel=(first_user.data.get("input_channel") if first_user else None),
        saved_by=f"{staff.display_name}（{staff.username}）",
        saved_at=now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M（北京时间）"),
    )
    try:
        content = conversation_to_test_stories(
            [(e.id, e.data) for e in events], name=name, header=header, corrections=corrections
        )
    except ValueError as exc:
        raise EmptyConversation() from exc
    relative = REVIEWED_DIR / story_file_name(name)
    path = repo_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": two savers cannot both win
            file.write(content)
    except FileExistsError as exc:
        raise StoryExists() from exc
    _audit(
        session=session,
        staff=staff,
        action="trainer.save_test_story",
        now=now,
        conversation_id=sender_id,
        path=relative.as_posix(),
    )
    logger.info("trainer.test_story_saved path=%s staff=%s", relative.as_posix(), staff.username)
    return SavedStory(
        path=relative.as_posix(),
        name=name,
        stories=content.count("\n  - story: "),
        content=content,
    )
