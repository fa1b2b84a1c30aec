"""Risk assessment errors."""

from __future__ import annotations

from crm_api.errors import DomainError


class InvalidRiskAnswers(DomainError):
    status_code = 422
    code = "invalid_risk_answers"
    detail_zh = "问卷答案不完整或选项无效"
    detail_en = "Questionnaire answers are incomplete or contain unknown options"


class RiskAssessmentRequired(DomainError):
    status_code = 409
    code = "risk_assessment_required"
    detail_zh = "客户没有有效的风险测评（未测评或已超过一年），请先完成风险测评"
    detail_en = "The customer has no valid risk assessment (none, or older than one year)"
