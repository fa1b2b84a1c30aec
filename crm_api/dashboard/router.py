"""管理看板 / dashboard data for supervisors and trainers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from crm_api.accounts.service import resolve_date_range
from crm_api.clock import shanghai_today
from crm_api.dashboard import presenters, service
from crm_api.dashboard.schemas import Dashboard, Granularity
from crm_api.deps import ClockDep, ManagerStaff, SessionDep

router = APIRouter(prefix="/staff/dashboard", tags=["管理看板 dashboard"])


@router.get("", summary="满意度与投诉看板数据")
def dashboard(
    staff: ManagerStaff,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[date | None, Query(description="起始日（含，北京时间），默认30天前")] = None,
    end: Annotated[date | None, Query(description="截止日（含），默认今天")] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    granularity: Granularity = "day",
) -> Dashboard:
    now = clock()
    start, end = resolve_date_range(start=start, end=end, today=shanghai_today(now))
    f = service.DashboardFilter(start=start, end=end, channel=channel or None)
    return presenters.dashboard(session, f, granularity, now)
