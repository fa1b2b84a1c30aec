"""The dashboard put together from the aggregates of service.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crm_api.dashboard import service
from crm_api.dashboard.schemas import Dashboard, Granularity, LowComment


def dashboard(
    session: Session, f: service.DashboardFilter, granularity: Granularity, now: datetime
) -> Dashboard:
    counts = service.score_counts(session, f)
    by_channel = service.csat_by_channel(session, f, counts)
    return Dashboard(
        start=f.start,
        end=f.end,
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
