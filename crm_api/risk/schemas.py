"""Questionnaire and assessment schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from crm_api.risk.models import RiskAssessment
from crm_api.risk.questionnaire import (
    QUESTIONNAIRE_VERSION,
    QUESTIONS,
    RISK_LEVEL_LABELS,
    VALIDITY_DAYS,
    level_code,
)
from crm_api.schemas import Channel, LocalDateTime


class OptionPublic(BaseModel):
    key: str = Field(examples=["A"])
    text: str = Field(examples=["18–30岁"])


class QuestionPublic(BaseModel):
    id: str = Field(examples=["q1"])
    text: str
    options: list[OptionPublic]


class QuestionnairePublic(BaseModel):
    version: str
    validity_days: int
    questions: list[QuestionPublic]

    @classmethod
    def current(cls) -> QuestionnairePublic:
        return cls(
            version=QUESTIONNAIRE_VERSION,
            validity_days=VALIDITY_DAYS,
            questions=[
                QuestionPublic(
                    id=q.id,
                    text=q.text,
                    options=[OptionPublic(key=o.key, text=o.text) for o in q.options],
                )
                for q in QUESTIONS
            ],
        )


class AssessmentCreate(BaseModel):
    answers: dict[str, str] = Field(
        description="question id → option key", examples=[{"q1": "B", "q2": "C"}]
    )
    channel: Channel = "web"


class AssessmentPublic(BaseModel):
    id: int
    customer_id: int
    risk_level: int = Field(ge=1, le=5)
    risk_code: str = Field(examples=["C3"])
    risk_label: str = Field(examples=["稳健型"])
    score: int
    assessed_at: LocalDateTime
    expires_at: LocalDateTime
    questionnaire_version: str

    @classmethod
    def from_assessment(cls, assessment: RiskAssessment) -> AssessmentPublic:
        return cls(
            id=assessment.id,
            customer_id=assessment.customer_id,
            risk_level=assessment.risk_level,
            risk_code=level_code(assessment.risk_level),
            risk_label=RISK_LEVEL_LABELS[assessment.risk_level],
            score=assessment.score,
            assessed_at=assessment.assessed_at,
            expires_at=assessment.expires_at,
            questionnaire_version=assessment.questionnaire_version,
        )
