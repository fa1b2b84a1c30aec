"""管理看板 / dashboard data for supervisors and trainers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from crm_api.accounts.errors import InvalidDateRange
from crm_api.clock import shanghai_today
from crm_api.dashboard import service
from crm_api.deps import ClockDep, ManagerStaff, SessionDep
from crm_api.schemas import LocalDateTime

router = APIRouter(prefix="/staff/dashboard", tags=["管理看板 dashboard"])
MAX_RANGE_DAYS = 366


class LowComment(BaseModel):
    id: int
    score: int
    comment: str
    channel: str
    kind: str
    answered_at: LocalDateTime


class Dashboard(BaseModel):
    start: date
    end: date
    channel: str | None
    granularity: Literal["day", "week"]
    channels: list[str]
    csat: dict[str, Any]
    trend: list[dict[str, Any]]
    distribution: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    by_intent: list[dict[str, Any]]
    nps: dict[str, Any]
    complaints: list[dict[str, Any]]
    sla: dict[str, Any]
    low_comments: list[LowComment]
    generated_at: LocalDateTime


@router.get("", summary="满意度与投诉看板数据")
def dashboard(
    staff: ManagerStaff,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[date | None, Query(description="起始日（含，北京时间），默认30天前")] = None,
    end: Annotated[date | None, Query(description="截止日（含），默认今天")] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    granularity: Literal["day", "week"] = "day",
) -> Dashboard:
    now: datetime = clock()
    end = end or shanghai_today(now)
    start = start or end - timedelta(days=29)
    if end < start or (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidDateRange()
    f = service.DashboardFilter(start=start, end=end, channel=channel or None)
    counts = service.score_counts(session, f)
    by_channel = service.csat_by_channel(session, f, counts)
    return Dashboard(
        start=start,
        end=end,
        channel=f.channel,
        granularity=granularity,
        channels=sorted(set(service.KNOWN_CHANNELS) | {r["channel"] for r in by_channel}),
        csat=service.csat_summary(session, f, counts),
        trend=service.csat_trend(session, f, granularity, counts),
        distribution=service.score_distribution(session, f, counts),
        by_channel=by_channel,
        by_intent=service.csat_by_intent(session, f),
        nps=service.nps(session, f),
        complaints=service.complaints_by_category_status(session, f),
        sla=service.complaint_sla(session, f, now),
        low_comments=[LowComment(**c) for c in service.latest_low_comments(session, f)],
        generated_at=now,
    )
