"""满意度 / satisfaction: the bot records ratings."""

from __future__ import annotations

from fastapi import APIRouter, Response

from crm_api.deps import ClockDep, SessionDep
from crm_api.errors import ErrorBody
from crm_api.satisfaction import service
from crm_api.satisfaction.schemas import SatisfactionCreate, SatisfactionPublic

router = APIRouter(prefix="/satisfaction", tags=["满意度 satisfaction"])


@router.post(
    "",
    summary="记录满意度评价",
    status_code=201,
    responses={
        200: {"model": SatisfactionPublic, "description": "same reference: completed, not new"},
        404: {"model": ErrorBody, "description": "customer_not_found / complaint_not_found"},
    },
)
def record(
    body: SatisfactionCreate, response: Response, session: SessionDep, clock: ClockDep
) -> SatisfactionPublic:
    recorded = service.record_response(session=session, now=clock(), **body.model_dump())
    session.commit()
    if not recorded.created:
        response.status_code = 200
    return SatisfactionPublic.of(recorded.response, recorded.created)
