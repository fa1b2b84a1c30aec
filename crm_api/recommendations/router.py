"""推荐 / suitable product recommendations, suitability checks and sales leads."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from crm_api.deps import ClockDep, SessionDep
from crm_api.errors import ErrorBody
from crm_api.recommendations import presenters, service
from crm_api.recommendations.recommender import Request
from crm_api.recommendations.schemas import (
    InterestPublic,
    InterestUpdate,
    LeadCreate,
    LeadPublic,
    RecommendationCreate,
    RecommendationList,
    SuitabilityCheck,
    SuitabilityResult,
)

router = APIRouter(prefix="/customers/{customer_id}", tags=["推荐 recommendations"])


@router.post(
    "/recommendations",
    summary="为客户推荐适合的产品（附推荐理由），并记录推荐日志",
    responses={
        404: {"model": ErrorBody, "description": "customer_not_found"},
        409: {"model": ErrorBody, "description": "risk_assessment_required (理财/基金)"},
    },
)
def create_recommendations(
    customer_id: int, body: RecommendationCreate, session: SessionDep, clock: ClockDep
) -> RecommendationList:
    result = service.recommend(
        session=session,
        customer_id=customer_id,
        request=Request(body.product_type, body.amount, body.horizon_months),
        limit=body.limit,
        channel=body.channel,
        now=clock(),
    )
    session.commit()
    return presenters.recommendation_list(result)


@router.post(
    "/recommendations/{recommendation_id}/interest",
    summary="记录客户对某条推荐的反应（感兴趣/不感兴趣/看了详情）",
    responses={404: {"model": ErrorBody, "description": "recommendation_not_found"}},
)
def record_interest(
    customer_id: int,
    recommendation_id: int,
    body: InterestUpdate,
    session: SessionDep,
    clock: ClockDep,
) -> InterestPublic:
    event = service.record_interest(
        session=session,
        customer_id=customer_id,
        recommendation_id=recommendation_id,
        interest=body.interest,
        now=clock(),
    )
    session.commit()
    return InterestPublic.of(event)


@router.post(
    "/suitability",
    summary="适当性检查：该客户能否购买/申请某产品",
    responses={404: {"model": ErrorBody, "description": "customer_not_found / product_not_found"}},
)
def check_suitability(
    customer_id: int, body: SuitabilityCheck, session: SessionDep, clock: ClockDep
) -> SuitabilityResult:
    product, problems = service.check_suitability(
        session=session,
        customer_id=customer_id,
        product_code=body.product_code,
        amount=body.amount,
        now=clock(),
    )
    return presenters.suitability(product, problems)


@router.post(
    "/leads",
    status_code=status.HTTP_201_CREATED,
    summary="登记购买意向，生成客户经理跟进的销售线索（同一产品未结线索只有一条）",
    responses={
        200: {"model": LeadPublic, "description": "an open lead already existed"},
        404: {
            "model": ErrorBody,
            "description": "customer_not_found / product_not_found / recommendation_not_found",
        },
        409: {"model": ErrorBody, "description": "product_not_suitable (field `violations`)"},
    },
)
def create_lead(
    customer_id: int, body: LeadCreate, session: SessionDep, clock: ClockDep, response: Response
) -> LeadPublic:
    lead, created = service.create_lead(
        session=session,
        customer_id=customer_id,
        product_code=body.product_code,
        amount=body.amount,
        recommendation_id=body.recommendation_id,
        channel=body.channel,
        note=body.note,
        now=clock(),
    )
    session.commit()
    if not created:
        response.status_code = status.HTTP_200_OK
    return LeadPublic.from_lead(lead, already_exists=not created)
