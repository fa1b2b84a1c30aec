"""Trainer-tool errors (stable codes, Chinese / English details)."""

from __future__ import annotations

from typing import Any

from crm_api.errors import DomainError


class InboxItemNotFound(DomainError):
    status_code = 404
    code = "inbox_item_not_found"
    detail_zh = "收件箱里没有这条消息"
    detail_en = "Inbox item not found"


class InboxItemClosed(DomainError):
    status_code = 409
    code = "inbox_item_closed"
    detail_zh = "这条消息已经处理过了"
    detail_en = "This message has already been reviewed"


class InboxSyncBusy(DomainError):
    status_code = 409
    code = "inbox_sync_busy"
    detail_zh = "另一位训练师正在同步收件箱，请稍后刷新"
    detail_en = "Another inbox sync is running; refresh in a moment"


ANNOTATION_ERRORS_EN = {
    "intent_required": "The bot recognised no intent; choose one",
    "rule_entity": "This entity is found by rules and is not annotated",
    "unknown_intent": "Unknown intent",
    "unknown_entity": "Unknown entity",
    "bad_span": "Entity span out of range, overlapping or with brackets/spaces",
    "empty_text": "Empty example",
    "duplicate": "Already a training example of this intent",
    "conflict": "Already a training example of another intent",
    "no_block": "The intent has no examples block in its file",
    "write_failed": "The file did not read back as written; nothing saved",
}


class AnnotationRejected(DomainError):
    """An annotation the training files cannot take; the message says why, in Chinese."""

    status_code = 422

    def __init__(self, code: str, message: str, status_code: int = 422, **extra: Any) -> None:
        super().__init__(**extra)
        self.code = code  # type: ignore[misc]  # per-instance code: duplicate, conflict…
        self.status_code = status_code  # type: ignore[misc]
        self._message = message

    @property
    def detail(self) -> str:
        return f"{self._message} / {ANNOTATION_ERRORS_EN.get(self.code, 'Annotation rejected')}"
