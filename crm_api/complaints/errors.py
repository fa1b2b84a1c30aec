"""Complaint errors (satisfaction surveys reuse `ComplaintNotFound`)."""

from __future__ import annotations

from crm_api.errors import DomainError


class ComplaintNotFound(DomainError):
    status_code = 404
    code = "complaint_not_found"
    detail_zh = "投诉不存在或无权查看"
    detail_en = "Complaint not found (or not visible to you)"


class ContactPhoneRequired(DomainError):
    status_code = 422
    code = "contact_phone_required"
    detail_zh = "匿名投诉需要留下有效的联系电话"
    detail_en = "Anonymous complaints need a valid contact phone number"


class IdempotencyKeyReused(DomainError):
    status_code = 409
    code = "idempotency_key_reused"
    detail_zh = "该幂等键已用于另一笔不同内容的请求"
    detail_en = "This Idempotency-Key was already used for a different request"


class InvalidStatusTransition(DomainError):
    status_code = 409
    code = "invalid_status_transition"
    detail_zh = "当前状态不能变更为目标状态"
    detail_en = "This status change is not allowed from the current status"


class ResolutionRequired(DomainError):
    status_code = 422
    code = "resolution_required"
    detail_zh = "办结投诉时需要填写处理结果"
    detail_en = "A resolution text is required to resolve a complaint"


class AssigneeNotAllowed(DomainError):
    status_code = 422
    code = "assignee_not_allowed"
    detail_zh = "不能分派给该员工（需为本机构的坐席或主管）"
    detail_en = "This staff user cannot be assigned the complaint"


class FollowUpNotFound(DomainError):
    status_code = 404
    code = "follow_up_not_found"
    detail_zh = "没有待完成的回访任务"
    detail_en = "No open follow-up task for this complaint"
