"""The NLU inbox: real customer messages from the tracker store, worst understood first.

`sync` reads Rasa's `events` table from where it stopped last time (a cursor by event
id), masks every customer message (:mod:`bankkit.masking`) and files it:

* `fallback`: the NLU fell back (`nlu_fallback`): the bot did not understand;
* `handoff`: one of the last customer turns before the bot handed the conversation to a
  person (`action_handoff`);
* `low_confidence`: the top intent's confidence is under `TRAINER_LOW_CONFIDENCE`;
* `other`: understood with confidence (still worth a glance, listed last).

The same masked text (normalised) from many customers is one item with a count. A message
that already is a training example of the intent the model predicted is not filed.

A trainer marks an item correct (the prediction becomes a training example), re-labels it
(another intent, entity spans selected on the masked text) or discards it; accepted
examples go into `data/` through :class:`trainer.nlu_files.TrainingFiles`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bankkit.complaints import COMPLAINT_CATEGORIES
from bankkit.masking import mask_text, surrogate
from crm_api.staff.models import StaffUser
from trainer.errors import (
    AnnotationRejected,
    InboxItemClosed,
    InboxItemNotFound,
    InboxSyncBusy,
)
from trainer.inbox.models import InboxCursor, InboxItem, InboxReason
from trainer.nlu_files import AnnotationError, Entity, TrainingFiles, normalise
from trainer.tracker import TrackerEvent, TrackerReader, masked_entities

logger = logging.getLogger(__name__)

SOURCE = "rasa_tracker"
FALLBACK_INTENT = "nlu_fallback"
HANDOFF_ACTION = "action_handoff"
HANDOFF_LOOKBACK = 3  # customer turns before a handoff that are filed as `handoff`
PRIORITY: dict[InboxReason, int] = {"fallback": 30, "handoff": 20, "low_confidence": 10, "other": 0}
REASON_LABELS: dict[InboxReason, str] = {
    "fallback": "未识别（兜底）",
    "handoff": "转人工前",
    "low_confidence": "置信度低",
    "other": "已识别",
}
# Extracted by rules (bot/nlu: StructuredEntityExtractor), never annotated in data/.
RULE_ENTITIES = frozenset(
    {"amount", "phone_number", "card_number", "card_tail", "verification_code"}
)
# canonical values of the annotated entities (docs/intents.md); time_period is free text
CANONICAL_VALUES: dict[str, list[str]] = {
    "account_type": ["储蓄卡", "信用卡"],
    "product_type": ["定期存款", "大额存单", "理财", "基金", "贷款", "信用卡", "保险", "外汇"],
    "complaint_category": list(COMPLAINT_CATEGORIES),
    "rating": ["1", "2", "3", "4", "5"],
}
MAX_TEXT = 500
SYNC_BATCH = 5000
SYNC_MAX_EVENTS = 200_000  # per call; the next call continues


@dataclass
class SyncResult:
    events_read: int = 0
    messages: int = 0
    new_items: int = 0
    updated_items: int = 0
    already_known: int = 0
    last_event_id: int = 0


@dataclass
class _Pending:
    """Per-sync memory: the last customer turns of each conversation (item ids)."""

    recent: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))


def text_key(masked: str) -> str:
    return hashlib.sha256(normalise(masked).encode("utf-8")).hexdigest()


def _top_intent(parse: dict[str, Any]) -> tuple[str | None, float | None, list[dict[str, Any]]]:
    intent = parse.get("intent") or {}
    ranking = [
        {"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 4)}
        for r in (parse.get("intent_ranking") or [])[:5]
        if r.get("name")
    ]
    name = intent.get("name")
    confidence = intent.get("confidence")
    return name, (float(confidence) if confidence is not None else None), ranking


def _classify(intent: str | None, confidence: float | None, threshold: float) -> InboxReason:
    if intent == FALLBACK_INTENT:
        return "fallback"
    if confidence is None or confidence < threshold:
        return "low_confidence"
    return "other"


def _when(event: TrackerEvent) -> datetime:
    return datetime.fromtimestamp(event.timestamp or 0, tz=timezone.utc)


class Inbox:
    def __init__(
        self,
        *,
        session: Session,
        reader: TrackerReader,
        files: TrainingFiles,
        low_confidence: float,
    ) -> None:
        self.session = session
        self.reader = reader
        self.files = files
        self.low_confidence = low_confidence

    # ---- collecting -----------------------------------------------------------------
    def sync(self, *, now: datetime) -> SyncResult:
        """Files the customer messages written since the last sync. Flushes, no commit."""
        cursor = self.session.get(InboxCursor, SOURCE)
        if cursor is None:
            cursor = InboxCursor(source=SOURCE, last_event_id=0, synced_at=now)
            self.session.add(cursor)
        result = SyncResult(last_event_id=cursor.last_event_id)
        known, _ = self.files.index()
        pending = _Pending()
        try:
            while result.events_read < SYNC_MAX_EVENTS:
                events = self.reader.events_after(result.last_event_id, SYNC_BATCH)
                if not events:
                    break
                for event in events:
                    if event.type_name == "user":
                        self._file_message(event, known, pending, result)
                    elif event.type_name == "action" and event.data.get("name") == HANDOFF_ACTION:
                        self._mark_handoff(event, pending)
                result.events_read += len(events)
                result.last_event_id = events[-1].id
            cursor.last_event_id = result.last_event_id
            cursor.synced_at = now
            self.session.flush()
        except IntegrityError as exc:  # a concurrent sync filed the same text first
            self.session.rollback()
            raise InboxSyncBusy() from exc
        logger.info(
            "trainer.inbox.sync events=%d messages=%d new=%d updated=%d known=%d last_id=%d",
            result.events_read,
            result.messages,
            result.new_items,
            result.updated_items,
            result.already_known,
            result.last_event_id,
        )
        return result

    def _file_message(
        self,
        event: TrackerEvent,
        known: dict[str, Any],
        pending: _Pending,
        result: SyncResult,
    ) -> None:
        text = (event.data.get("text") or "").strip()
        if not text or text.startswith("/"):  # empty, or a button payload (/request_human)
            return
        result.messages += 1
        parse = event.data.get("parse_data") or {}
        intent, confidence, ranking = _top_intent(parse)
        reason = _classify(intent, confidence, self.low_confidence)
        masked = mask_text(text)[:MAX_TEXT]
        key = text_key(masked)
        example = known.get(normalise(masked))
        if example is not None and example.intent == intent:
            result.already_known += 1
            return
        seen = _when(event)
        item = self.session.scalars(select(InboxItem).where(InboxItem.text_key == key)).first()
        if item is None:
            item = InboxItem(
                text_key=key,
                text=masked,
                occurrences=0,
                first_seen_at=seen,
                status="new",
                reason=reason,
                priority=PRIORITY[reason],
            )
            self.session.add(item)
            result.new_items += 1
        else:
            result.updated_items += 1
        item.occurrences = (item.occurrences or 0) + 1
        item.last_seen_at = max(item.last_seen_at or seen, seen)
        item.conversation_id = event.sender_id[:255]
        channel = event.data.get("input_channel")
        item.channel = str(channel)[:40] if channel else None
        if item.status == "new":  # the latest prediction is what the model does now
            item.predicted_intent = intent
            item.confidence = confidence
            item.intent_ranking = ranking
            item.entities = masked_entities(parse, masked)
            if PRIORITY[reason] > (item.priority or 0):
                item.reason, item.priority = reason, PRIORITY[reason]
        self.session.flush()
        recent = pending.recent[event.sender_id]
        recent.append(item.id)
        while len(recent) > HANDOFF_LOOKBACK:
            recent.popleft()

    def _mark_handoff(self, event: TrackerEvent, pending: _Pending) -> None:
        ids = list(pending.recent.get(event.sender_id) or [])
        if not ids:  # the turns were filed by an earlier sync: look them up
            keys = []
            for turn in self.reader.conversation(event.sender_id):
                if turn.id >= event.id:
                    break
                text = (turn.data.get("text") or "").strip() if turn.type_name == "user" else ""
                if text and not text.startswith("/"):
                    keys.append(text_key(mask_text(text)[:MAX_TEXT]))
            keys = keys[-HANDOFF_LOOKBACK:]
            ids = list(
                self.session.scalars(select(InboxItem.id).where(InboxItem.text_key.in_(keys)))
            )
        for item in self.session.scalars(select(InboxItem).where(InboxItem.id.in_(ids))):
            if item.status == "new" and item.priority < PRIORITY["handoff"]:
                item.reason, item.priority = "handoff", PRIORITY["handoff"]
        pending.recent.pop(event.sender_id, None)

    # ---- reading --------------------------------------------------------------------
    def page(
        self,
        *,
        status: str = "new",
        reason: InboxReason | None = None,
        query: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> tuple[list[InboxItem], int]:
        where = [InboxItem.status == status]
        if reason:
            where.append(InboxItem.reason == reason)
        if query:
            where.append(InboxItem.text.contains(query.strip()))
        total = self.session.scalar(select(func.count()).select_from(InboxItem).where(*where)) or 0
        order = (
            [InboxItem.priority.desc(), InboxItem.confidence.asc(), InboxItem.occurrences.desc()]
            if status == "new"
            else [InboxItem.reviewed_at.desc()]
        )
        rows = self.session.scalars(
            select(InboxItem)
            .where(*where)
            .order_by(*order, InboxItem.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return list(rows), total

    def counts(self) -> dict[str, int]:
        rows = self.session.execute(
            select(InboxItem.reason, func.count())
            .where(InboxItem.status == "new")
            .group_by(InboxItem.reason)
        )
        counts: dict[str, int] = {reason: 0 for reason in PRIORITY}
        counts.update({reason: int(n) for reason, n in rows})
        return counts

    def get(self, item_id: int) -> InboxItem:
        item = self.session.get(InboxItem, item_id)
        if item is None:
            raise InboxItemNotFound()
        return item

    # ---- deciding -------------------------------------------------------------------
    def accept(
        self,
        item_id: int,
        *,
        staff: StaffUser | None,
        now: datetime,
        intent: str | None = None,
        entities: list[Entity] | None = None,
    ) -> InboxItem:
        """Writes the item into the training data: as predicted, or as re-labelled."""
        item = self._open(item_id)
        final_intent = intent or item.predicted_intent
        if not final_intent or final_intent == FALLBACK_INTENT:
            raise AnnotationRejected("intent_required", "机器人没有识别出意图，请选择正确的意图")
        if entities is None:  # "correct": the predicted spans of entities we annotate
            entities = _predicted_entities(item)
        for ent in entities:
            if ent.entity in RULE_ENTITIES:
                raise AnnotationRejected(
                    "rule_entity", f"「{ent.entity}」由规则识别，训练数据里不需要标注"
                )
        example_text = surrogate(item.text)
        try:
            written = self.files.add_example(final_intent, example_text, entities)
        except AnnotationError as exc:
            status = 409 if exc.code in ("duplicate", "conflict") else 422
            raise AnnotationRejected(exc.code, exc.message, status) from exc
        item.status = "accepted"
        item.final_intent = final_intent
        item.final_entities = [
            {"start": e.start, "end": e.end, "entity": e.entity, "value": e.value} for e in entities
        ]
        item.written_to = written
        self._reviewed(item, staff, now)
        logger.info(
            "trainer.inbox.accept item=%d intent=%s relabelled=%s file=%s by=%s",
            item.id,
            final_intent,
            final_intent != item.predicted_intent,
            written,
            staff.username if staff else "cli",
        )
        return item

    def discard(self, item_id: int, *, staff: StaffUser | None, now: datetime) -> InboxItem:
        item = self._open(item_id)
        item.status = "discarded"
        self._reviewed(item, staff, now)
        logger.info(
            "trainer.inbox.discard item=%d by=%s", item.id, staff.username if staff else "cli"
        )
        return item

    def _open(self, item_id: int) -> InboxItem:
        item = self.get(item_id)
        if item.status != "new":
            raise InboxItemClosed()
        return item

    def _reviewed(self, item: InboxItem, staff: StaffUser | None, now: datetime) -> None:
        item.reviewed_by = staff.id if staff else None
        item.reviewed_at = now
        self.session.flush()


def _predicted_entities(item: InboxItem) -> list[Entity]:
    chosen: list[Entity] = []
    for ent in sorted(item.entities or [], key=lambda e: (e["start"], -e["end"])):
        name = ent.get("entity")
        if not name or name in RULE_ENTITIES:
            continue
        if any(c.start < ent["end"] and ent["start"] < c.end for c in chosen):
            continue  # the same span from two extractors (CRF and the gazetteer)
        value = ent.get("value")
        surface = item.text[ent["start"] : ent["end"]]
        chosen.append(
            Entity(
                ent["start"],
                ent["end"],
                name,
                None if value is None or str(value) == surface else str(value),
            )
        )
    return chosen
