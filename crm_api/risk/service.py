"""Taking and reading investor risk assessments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.customers.service import get_customer
from crm_api.risk.errors import InvalidRiskAnswers, RiskAssessmentRequired
from crm_api.risk.models import RiskAssessment
from crm_api.risk.questionnaire import (
    QUESTIONNAIRE_VERSION,
    VALIDITY_DAYS,
    InvalidAnswers,
    score_answers,
)


def latest_assessment(*, session: Session, customer_id: int) -> RiskAssessment | None:
    return session.scalars(
        select(RiskAssessment)
        .where(RiskAssessment.customer_id == customer_id)
        .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())
        .limit(1)
    ).first()


def current_assessment(*, session: Session, customer_id: int, now: datetime) -> RiskAssessment:
    """The customer's assessment in force at `now`.

    Raises:
        CustomerNotFound; RiskAssessmentRequired: none, or expired (`expired_at` says when).
    """
    get_customer(session=session, customer_id=customer_id)
    latest = latest_assessment(session=session, customer_id=customer_id)
    if latest is None or latest.expires_at <= now:
        expired_at = latest.expires_at.isoformat() if latest else None
        raise RiskAssessmentRequired(expired_at=expired_at)
    return latest


def valid_assessment(*, session: Session, customer_id: int, now: datetime) -> RiskAssessment | None:
    """The customer's latest assessment if it has not expired at `now`."""
    latest = latest_assessment(session=session, customer_id=customer_id)
    if latest is None or latest.expires_at <= now:
        return None
    return latest


def record_assessment(
    *,
    session: Session,
    customer_id: int,
    answers: Mapping[str, str],
    channel: str,
    now: datetime,
) -> RiskAssessment:
    """Score the answers and store the assessment (valid for one year from `now`)."""
    get_customer(session=session, customer_id=customer_id)
    normalised = {str(k): str(v).strip().upper() for k, v in answers.items()}
    try:
        score, level = score_answers(normalised)
    except InvalidAnswers as exc:
        raise InvalidRiskAnswers(reason=str(exc)) from exc
    assessment = RiskAssessment(
        customer_id=customer_id,
        questionnaire_version=QUESTIONNAIRE_VERSION,
        answers=normalised,
        score=score,
        risk_level=level,
        channel=channel,
        assessed_at=now,
        expires_at=now + timedelta(days=VALIDITY_DAYS),
    )
    session.add(assessment)
    session.flush()
    return assessment
