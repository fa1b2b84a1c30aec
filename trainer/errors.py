"""The trainer tools' errors: stable codes, Chinese / English details, one HTTP status each.

Inbox and annotation, conversation review, retraining; crm_api's exception handler turns
each into its JSON error body. `RasaServerError` is the Rasa HTTP client's failure, which
the retraining shows to trainers as its Chinese reason.
"""

from __future__ import annotations

from typing import Any

from crm_api.errors import DomainError

# ---- inbox and annotation ----------------------------------------------------------------


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
        self.code = code  # duplicate, conflict…
        self.status_code = status_code
        self._message = message

    @property
    def detail(self) -> str:
        return f"{self._message} / {ANNOTATION_ERRORS_EN.get(self.code, 'Annotation rejected')}"


# ---- conversation review -----------------------------------------------------------------


class ConversationNotFound(DomainError):
    status_code = 404
    code = "conversation_not_found"
    detail_zh = "找不到该对话"
    detail_en = "Conversation not found"


class SearchTooSpecific(DomainError):
    status_code = 422
    code = "search_has_number"
    detail_zh = "搜索词不能包含4位以上的连续数字（可能是手机号、卡号或验证码）"
    detail_en = "The search may not contain four or more digits in a row"


class InvalidStoryName(DomainError):
    status_code = 422
    code = "story_name_invalid"
    detail_zh = "故事名称只能包含中英文、数字、下划线和连字符，最多60个字符"
    detail_en = "Story name: letters, digits, '_' and '-', at most 60 characters"


class StoryExists(DomainError):
    status_code = 409
    code = "story_exists"
    detail_zh = "同名的测试故事已存在，请换一个名称"
    detail_en = "A test story with this name already exists"


class UnknownIntent(DomainError):
    status_code = 422
    code = "unknown_intent"
    detail_zh = "意图不存在：必须是 domain/ 中的意图或 data/faq 中的常见问题"
    detail_en = "Unknown intent: not in domain/ nor a faq/<topic> of data/faq"


class UnknownMessage(DomainError):
    status_code = 422
    code = "message_not_in_conversation"
    detail_zh = "要更正的消息不是这段对话中的客户消息"
    detail_en = "The corrected message is not a customer message of this conversation"


class EmptyConversation(DomainError):
    status_code = 422
    code = "conversation_empty"
    detail_zh = "这段对话没有可保存的客户消息"
    detail_en = "The conversation has no customer message to save"


# ---- retraining --------------------------------------------------------------------------


class TrainingRunInProgress(DomainError):
    status_code = 409
    code = "training_run_in_progress"
    detail_zh = "已有一次训练正在进行，请等它结束后再发起"
    detail_en = "A training run is already in progress"


class TrainingRunNotFound(DomainError):
    status_code = 404
    code = "training_run_not_found"
    detail_zh = "训练记录不存在"
    detail_en = "Training run not found"


class TrainingUnavailable(DomainError):
    status_code = 503
    code = "training_unavailable"
    detail_zh = "本机无法训练：找不到 rasa 程序或训练数据目录，请联系运维"
    detail_en = "Training is not available here: rasa executable or training data not found"


class RasaServerError(Exception):
    """The Rasa server could not be reached or refused; `reason` is Chinese, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
