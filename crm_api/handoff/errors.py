"""Handoff errors (stable codes, Chinese / English details)."""

from __future__ import annotations

from crm_api.errors import DomainError


class HandoffNotFound(DomainError):
    status_code = 404
    code = "handoff_not_found"
    detail_zh = "转人工会话不存在"
    detail_en = "Handoff not found"


class AlreadyClaimed(DomainError):
    status_code = 409
    code = "handoff_already_claimed"
    detail_zh = "该会话已被其他坐席接入"
    detail_en = "Another agent has already claimed this conversation"


class NotYourHandoff(DomainError):
    status_code = 403
    code = "handoff_not_yours"
    detail_zh = "您没有接入该会话，无权查看或回复"
    detail_en = "You have not claimed this conversation"


class HandoffClosed(DomainError):
    status_code = 409
    code = "handoff_closed"
    detail_zh = "该会话已结束"
    detail_en = "This conversation has already been closed"


class TransferTargetInvalid(DomainError):
    status_code = 422
    code = "transfer_target_invalid"
    detail_zh = "只能转给其他在线的坐席或主管"
    detail_en = "Transfer only to another online agent or supervisor"


class InvalidDisposition(DomainError):
    status_code = 422
    code = "invalid_disposition"
    detail_zh = "结束原因代码无效"
    detail_en = "Unknown disposition code"


class BotChannelUnavailable(DomainError):
    status_code = 502
    code = "bot_channel_unavailable"
    detail_zh = "暂时无法连接客户的对话，请稍后重试"
    detail_en = "The bot's channel could not be reached"
