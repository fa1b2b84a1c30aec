"""风险测评 / investor risk assessment."""

from __future__ import annotations

from fastapi import APIRouter, status

from crm_api.deps import ClockDep, SessionDep
from crm_api.errors import ErrorBody
from crm_api.risk import service
from crm_api.risk.schemas import AssessmentCreate, AssessmentPublic, QuestionnairePublic

router = APIRouter(tags=["风险测评 risk assessment"])


@router.get("/risk/questionnaire", summary="风险测评问卷")
def get_questionnaire() -> QuestionnairePublic:
    return QuestionnairePublic.current()


@router.post(
    "/customers/{customer_id}/risk-assessments",
    status_code=status.HTTP_201_CREATED,
    summary="提交风险测评答案（评分并保存，有效期一年）",
    responses={
        404: {"model": ErrorBody, "description": "customer_not_found"},
        422: {"model": ErrorBody, "description": "invalid_risk_answers"},
    },
)
def create_assessment(
    customer_id: int, body: AssessmentCreate, session: SessionDep, clock: ClockDep
) -> AssessmentPublic:
    assessment = service.record_assessment(
        session=session,
        customer_id=customer_id,
        answers=body.answers,
        channel=body.channel,
        now=clock(),
    )
    session.commit()
    return AssessmentPublic.from_assessment(assessment)


@router.get(
    "/customers/{customer_id}/risk-assessments/current",
    summary="客户当前有效的风险测评",
    responses={
        404: {"model": ErrorBody, "description": "customer_not_found"},
        409: {"model": ErrorBody, "description": "risk_assessment_required (none or expired)"},
    },
)
def get_current_assessment(
    customer_id: int, session: SessionDep, clock: ClockDep
) -> AssessmentPublic:
    assessment = service.current_assessment(session=session, customer_id=customer_id, now=clock())
    return AssessmentPublic.from_assessment(assessment)
