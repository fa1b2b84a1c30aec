"""Dashboard aggregates: GROUP BY queries that read covering indexes, so they stay fast
with millions of survey rows (scripts/bench_dashboard.py measures them). Summary, trend,
score distribution and channels share one query (`score_counts`).

CSAT is the share of ratings of 4 or 5 (the usual "top-two-box" definition); the average
score is reported too. NPS = % promoters (9–10) − % detractors (0–6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.orm import Session

from crm_api.clock import shanghai_day_start
from crm_api.complaints.models import Complaint
from crm_api.complaints.service import breached_clause
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse

LOW_SCORE = 2
KNOWN_CHANNELS = ("web", "app")  # the bot's input channels (bot/channels)
LATEST_COMMENTS = 10

R = SatisfactionResponse
I = SatisfactionIntent  # noqa: E741


@dataclass(frozen=True)
class DashboardFilter:
    start: date
    end: date
    channel: str | None = None


def _survey_conditions(f: DashboardFilter) -> list[ColumnElement[bool]]:
    conditions = [R.survey_day >= f.start, R.survey_day <= f.end, R.score.is_not(None)]
    if f.channel:
        conditions.append(R.channel == f.channel)
    return conditions


def _rate(count: int, satisfied: int, total_score: int) -> dict[str, Any]:
    return {
        "count": count,
        "csat": round(100.0 * satisfied / count, 1) if count else None,
        "average": round(total_score / count, 2) if count else None,
    }


def _score_columns(score: Any) -> tuple[Any, Any, Any]:
    """count, number of 4–5 ratings, sum of scores."""
    return (func.count(score), func.sum(case((score >= 4, 1), else_=0)), func.sum(score))


ScoreCounts = list[tuple[date, str, int, int]]  # (Beijing day, channel, score, ratings)


def score_counts(session: Session, f: DashboardFilter) -> ScoreCounts:
    """The one scan behind summary, trend, distribution and channels: ratings counted per
    (day, channel, score) — at most 366 × channels × 5 rows, read from the covering index
    (survey_day, channel, score); the roll-ups below are done on those few rows."""
    rows = session.execute(
        select(R.survey_day, R.channel, R.score, func.count())
        .where(*_survey_conditions(f))
        .group_by(R.survey_day, R.channel, R.score)
    ).all()
    return [
        (date.fromisoformat(day) if isinstance(day, str) else day, channel, int(score), int(n))
        for day, channel, score, n in rows
    ]


def _roll_up(counts: ScoreCounts, key: Callable[[date, str, int], Any]) -> dict[Any, list[int]]:
    buckets: dict[Any, list[int]] = {}
    for day, channel, score, n in counts:
        bucket = buckets.setdefault(key(day, channel, score), [0, 0, 0])
        bucket[0] += n
        bucket[1] += n if score >= 4 else 0
        bucket[2] += n * score
    return buckets


def csat_summary(
    session: Session, f: DashboardFilter, counts: ScoreCounts | None = None
) -> dict[str, Any]:
    counts = score_counts(session, f) if counts is None else counts
    return _rate(*_roll_up(counts, lambda d, c, s: "all").get("all", [0, 0, 0]))


def csat_trend(
    session: Session,
    f: DashboardFilter,
    granularity: str = "day",
    counts: ScoreCounts | None = None,
) -> list[dict[str, Any]]:
    """Per Beijing day, or per ISO week (starting Monday)."""
    counts = score_counts(session, f) if counts is None else counts
    if granularity == "week":
        buckets = _roll_up(counts, lambda d, c, s: d - timedelta(days=d.weekday()))
    else:
        buckets = _roll_up(counts, lambda d, c, s: d)
    return [
        {"period": key.isoformat(), **_rate(*values)} for key, values in sorted(buckets.items())
    ]


def score_distribution(
    session: Session, f: DashboardFilter, counts: ScoreCounts | None = None
) -> list[dict[str, Any]]:
    counts = score_counts(session, f) if counts is None else counts
    buckets = _roll_up(counts, lambda d, c, s: s)
    return [{"score": s, "count": buckets.get(s, [0])[0]} for s in range(1, 6)]


def csat_by_channel(
    session: Session, f: DashboardFilter, counts: ScoreCounts | None = None
) -> list[dict[str, Any]]:
    counts = score_counts(session, f) if counts is None else counts
    buckets = _roll_up(counts, lambda d, c, s: c)
    return [{"channel": ch, **_rate(*buckets[ch])} for ch in sorted(buckets)]


def csat_by_intent(session: Session, f: DashboardFilter) -> list[dict[str, Any]]:
    conditions = [I.survey_day >= f.start, I.survey_day <= f.end, I.score.is_not(None)]
    if f.channel:
        conditions.append(I.channel == f.channel)
    rows = session.execute(
        select(I.intent, *_score_columns(I.score)).where(*conditions).group_by(I.intent)
    ).all()
    result = [{"intent": i, **_rate(int(c), int(s or 0), int(t or 0))} for i, c, s, t in rows]
    return sorted(result, key=lambda r: -r["count"])


def nps(session: Session, f: DashboardFilter) -> dict[str, Any]:
    conditions = [R.survey_day >= f.start, R.survey_day <= f.end, R.nps_score.is_not(None)]
    if f.channel:
        conditions.append(R.channel == f.channel)
    promoters, passives, detractors = session.execute(
        select(
            func.sum(case((R.nps_score >= 9, 1), else_=0)),
            func.sum(case((R.nps_score.between(7, 8), 1), else_=0)),
            func.sum(case((R.nps_score <= 6, 1), else_=0)),
        ).where(*conditions)
    ).one()
    p, pa, d = int(promoters or 0), int(passives or 0), int(detractors or 0)
    total = p + pa + d
    return {
        "count": total,
        "promoters": p,
        "passives": pa,
        "detractors": d,
        "nps": round(100.0 * (p - d) / total, 1) if total else None,
    }


def latest_low_comments(session: Session, f: DashboardFilter) -> list[dict[str, Any]]:
    rows = session.execute(
        select(R.id, R.score, R.comment, R.channel, R.kind, R.answered_at)
        # the literal 2 (not a bound parameter) lets the planner use the partial index
        # ix_satisfaction_low_comments (score <= 2 AND comment IS NOT NULL)
        .where(
            *_survey_conditions(f),
            R.score <= literal_column(str(LOW_SCORE)),
            R.comment.is_not(None),
        )
        .order_by(R.answered_at.desc())
        .limit(LATEST_COMMENTS)
    ).all()
    return [
        {
            "id": r.id,
            "score": r.score,
            "comment": r.comment,
            "channel": r.channel,
            "kind": r.kind,
            "answered_at": r.answered_at,
        }
        for r in rows
    ]


def _complaint_conditions(f: DashboardFilter) -> list[ColumnElement[bool]]:
    conditions = [
        Complaint.created_at >= shanghai_day_start(f.start),
        Complaint.created_at < shanghai_day_start(f.end + timedelta(days=1)),
    ]
    if f.channel:
        conditions.append(Complaint.channel == f.channel)
    return conditions


def complaints_by_category_status(session: Session, f: DashboardFilter) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Complaint.category, Complaint.status, func.count())
        .where(*_complaint_conditions(f))
        .group_by(Complaint.category, Complaint.status)
    ).all()
    return [{"category": c, "status": s, "count": int(n)} for c, s, n in rows]


def _hours_to_resolve(session: Session) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(Complaint.resolved_at) - func.julianday(Complaint.created_at)) * 24
    return func.extract("epoch", Complaint.resolved_at - Complaint.created_at) / 3600


def complaint_sla(session: Session, f: DashboardFilter, now: datetime) -> dict[str, Any]:
    breached = breached_clause(now)
    hours = _hours_to_resolve(session)
    rows = session.execute(
        select(
            Complaint.category,
            func.count(),
            func.sum(case((breached, 1), else_=0)),
            func.avg(case((Complaint.resolved_at.is_not(None), hours), else_=None)),
            func.count(Complaint.resolved_at),
        )
        .where(*_complaint_conditions(f))
        .group_by(Complaint.category)
    ).all()
    by_category = []
    total = total_breached = resolved = 0
    weighted_hours = 0.0
    for category, count, n_breached, avg_hours, n_resolved in rows:
        by_category.append(
            {
                "category": category,
                "count": int(count),
                "breached": int(n_breached or 0),
                "avg_resolution_hours": round(float(avg_hours), 1)
                if avg_hours is not None
                else None,
            }
        )
        total += int(count)
        total_breached += int(n_breached or 0)
        resolved += int(n_resolved)
        weighted_hours += float(avg_hours or 0) * int(n_resolved)
    return {
        "total": total,
        "breached": total_breached,
        "resolved": resolved,
        "breach_rate": round(100.0 * total_breached / total, 1) if total else None,
        "avg_resolution_hours": round(weighted_hours / resolved, 1) if resolved else None,
        "by_category": sorted(by_category, key=lambda r: -r["count"]),
    }
