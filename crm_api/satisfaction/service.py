"""Recording satisfaction answers (idempotent by client reference)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.clock import shanghai_today
from crm_api.complaints.errors import ComplaintNotFound
from crm_api.complaints.models import Complaint
from crm_api.customers.service import get_customer
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse

logger = logging.getLogger(__name__)
MAX_INTENTS = 20


@dataclass(frozen=True)
class RecordedResponse:
    response: SatisfactionResponse
    created: bool


def answer_survey(
    survey: SatisfactionResponse,
    *,
    score: int | None,
    comment: str | None,
    now: datetime,
    nps_score: int | None = None,
) -> None:
    """Fill in an answer; keeps the denormalised dashboard columns in step."""
    survey.status = "answered"
    if score is not None:
        survey.score = score
    if nps_score is not None:
        survey.nps_score = nps_score
    if comment and comment.strip():
        survey.comment = comment.strip()
    survey.answered_at = survey.answered_at or now
    survey.survey_day = shanghai_today(survey.answered_at)
    for intent in survey.intents:
        intent.score, intent.survey_day, intent.channel = (
            survey.score,
            survey.survey_day,
            survey.channel,
        )


def record_response(
    *,
    session: Session,
    now: datetime,
    reference: str,
    channel: str,
    score: int | None,
    nps_score: int | None = None,
    comment: str | None = None,
    conversation_id: str | None = None,
    customer_id: int | None = None,
    complaint_number: str | None = None,
    intents: list[str] | None = None,
    human_involved: bool = False,
) -> RecordedResponse:
    """Record a rating. The same `reference` again adds what was missing (typically the
    reason given after a low score) instead of creating a second row.

    Raises:
        CustomerNotFound, ComplaintNotFound.
    """
    existing = session.scalar(
        select(SatisfactionResponse).where(SatisfactionResponse.reference == reference)
    )
    if existing is not None:
        _complete(existing, score=score, nps_score=nps_score, comment=comment, now=now)
        session.flush()
        return RecordedResponse(existing, created=False)
    if customer_id is not None:
        get_customer(session=session, customer_id=customer_id)
    complaint_id = None
    if complaint_number:
        complaint_id = session.scalar(
            select(Complaint.id).where(Complaint.number == complaint_number.upper())
        )
        if complaint_id is None:
            raise ComplaintNotFound()
    response = SatisfactionResponse(
        reference=reference,
        kind="conversation",
        status="pending",
        conversation_id=conversation_id,
        complaint_id=complaint_id,
        customer_id=customer_id,
        channel=channel,
        human_involved=human_involved,
        created_at=now,
    )
    unique_intents = list(dict.fromkeys(i for i in (intents or []) if i))[:MAX_INTENTS]
    response.intents = [SatisfactionIntent(intent=i, channel=channel) for i in unique_intents]
    answer_survey(response, score=score, comment=comment, nps_score=nps_score, now=now)
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
    except IntegrityError:
        # A concurrent retry with the same reference got there first.
        existing = session.scalar(
            select(SatisfactionResponse).where(SatisfactionResponse.reference == reference)
        )
        if existing is None:
            raise
        _complete(existing, score=score, nps_score=nps_score, comment=comment, now=now)
        session.flush()
        return RecordedResponse(existing, created=False)
    logger.info("satisfaction.recorded id=%s score=%s channel=%s", response.id, score, channel)
    return RecordedResponse(response, created=True)


def _complete(
    response: SatisfactionResponse,
    *,
    score: int | None,
    nps_score: int | None,
    comment: str | None,
    now: datetime,
) -> None:
    answer_survey(
        response,
        score=score if response.score is None else None,
        nps_score=nps_score if response.nps_score is None else None,
        comment=comment if not response.comment else None,
        now=now,
    )
