"""Dashboard aggregates computed in SQL, on small data sets with known answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_api.clock import SHANGHAI, UTC
from crm_api.complaints.models import Complaint
from crm_api.complaints.seed import generate as generate_complaints
from crm_api.dashboard import service
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse
from tests.crm_api.conftest import T0, FakeClock, assert_error
from tests.crm_api.staff_helpers import login, make_staff

TODAY = T0.astimezone(SHANGHAI).date()  # 2026-11-29
URL = "/api/v1/staff/dashboard"


def _rating(
    session: Session,
    day: date,
    score: int | None,
    channel: str = "web",
    *,
    intents: tuple[str, ...] = ("check_balance",),
    comment: str | None = None,
    nps: int | None = None,
    hour: int = 12,
) -> None:
    at = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)
    row = SatisfactionResponse(
        kind="conversation",
        status="answered",
        channel=channel,
        score=score,
        nps_score=nps,
        comment=comment,
        created_at=at,
        answered_at=at,
        survey_day=day,
        human_involved=False,
    )
    row.intents = [
        SatisfactionIntent(intent=i, channel=channel, survey_day=day, score=score) for i in intents
    ]
    session.add(row)
    session.flush()


def _complaint(
    session: Session,
    n: int,
    category: str,
    status: str,
    created: datetime,
    hours: int,
    resolved_after: float | None,
    channel: str = "web",
) -> None:
    resolved = created + timedelta(hours=resolved_after) if resolved_after is not None else None
    session.add(
        Complaint(
            number=f"TS20261101{n:04d}",
            contact_phone="13900139000",
            contact_method="电话",
            category=category,
            description="测试",
            channel=channel,
            customer_tier="普通",
            branch="远程银行中心",
            status=status,
            sla_hours=hours,
            created_at=created,
            updated_at=created,
            due_at=created + timedelta(hours=hours),
            resolved_at=resolved,
        )
    )
    session.flush()


@pytest.fixture
def data(session: Session) -> None:
    d1, d2 = TODAY - timedelta(days=2), TODAY - timedelta(days=1)
    _rating(session, d1, 5, "app", intents=("check_balance", "faq"), nps=10)
    _rating(session, d1, 4, "web", nps=8)
    _rating(session, d1, 1, "web", intents=("complain",), comment="没解决问题", nps=2, hour=9)
    _rating(session, d2, 2, "app", intents=("complain",), comment="转人工太难", hour=15)
    _rating(session, d2, 3, "app", intents=("faq",))
    _rating(session, TODAY - timedelta(days=40), 1, "web", comment="很久以前的")  # outside range
    _rating(session, d2, None, "web")  # pending survey: not counted
    created = T0 - timedelta(days=5)
    _complaint(session, 1, "系统故障", "已解决", created, 48, 10)
    _complaint(session, 2, "系统故障", "已关闭", created, 48, 60)  # resolved late
    _complaint(session, 3, "收费", "处理中", created, 120, None)  # open, 5 days = not yet due
    _complaint(session, 4, "收费", "已受理", created - timedelta(days=1), 24, None)  # overdue


def _filter(**kw: Any) -> service.DashboardFilter:
    values = {"start": TODAY - timedelta(days=29), "end": TODAY, **kw}
    return service.DashboardFilter(**values)


def test_csat_summary_and_distribution(session: Session, data: None) -> None:
    assert service.csat_summary(session, _filter()) == {"count": 5, "csat": 40.0, "average": 3.0}
    assert [d["count"] for d in service.score_distribution(session, _filter())] == [1, 1, 1, 1, 1]


def test_trend_by_day_and_by_week(session: Session, data: None) -> None:
    days = service.csat_trend(session, _filter(), "day")
    assert [(d["period"], d["count"], d["csat"]) for d in days] == [
        ("2026-11-27", 3, 66.7),
        ("2026-11-28", 2, 0.0),
    ]
    weeks = service.csat_trend(session, _filter(), "week")
    assert [(w["period"], w["count"]) for w in weeks] == [("2026-11-23", 5)]  # a Monday


def test_by_channel_and_channel_filter(session: Session, data: None) -> None:
    rows = {r["channel"]: r for r in service.csat_by_channel(session, _filter())}
    assert (rows["app"]["count"], rows["app"]["average"]) == (3, 3.33)
    assert (rows["web"]["count"], rows["web"]["csat"]) == (2, 50.0)
    assert service.csat_summary(session, _filter(channel="app"))["count"] == 3


def test_by_intent(session: Session, data: None) -> None:
    rows = {r["intent"]: r for r in service.csat_by_intent(session, _filter())}
    assert rows["complain"]["count"] == 2 and rows["complain"]["csat"] == 0.0
    assert rows["faq"]["count"] == 2 and rows["faq"]["average"] == 4.0
    assert rows["check_balance"]["count"] == 2


def test_nps(session: Session, data: None) -> None:
    assert service.nps(session, _filter()) == {
        "count": 3,
        "promoters": 1,
        "passives": 1,
        "detractors": 1,
        "nps": 0.0,
    }


def test_latest_low_comments_newest_first(session: Session, data: None) -> None:
    comments = service.latest_low_comments(session, _filter())
    assert [c["comment"] for c in comments] == ["转人工太难", "没解决问题"]


def test_complaint_aggregates(session: Session, data: None) -> None:
    counts = {
        (r["category"], r["status"]): r["count"]
        for r in service.complaints_by_category_status(session, _filter())
    }
    assert counts == {
        ("系统故障", "已解决"): 1,
        ("系统故障", "已关闭"): 1,
        ("收费", "处理中"): 1,
        ("收费", "已受理"): 1,
    }
    sla = service.complaint_sla(session, _filter(), T0)
    assert (sla["total"], sla["breached"], sla["resolved"]) == (4, 2, 2)
    assert sla["avg_resolution_hours"] == 35.0
    by_category = {r["category"]: r for r in sla["by_category"]}
    assert by_category["系统故障"]["breached"] == 1 and by_category["收费"]["breached"] == 1


def test_dashboard_endpoint(client: TestClient, session: Session, data: None) -> None:
    headers = login(client, make_staff(session, "supervisor", "总行"))
    body = client.get(URL, headers=headers, params={"granularity": "week"}).json()
    assert body["start"] == "2026-10-31" and body["end"] == "2026-11-29"
    assert body["csat"]["count"] == 5 and body["nps"]["nps"] == 0.0
    assert body["channels"] == ["app", "web"]
    assert body["low_comments"][0]["answered_at"].endswith("+08:00")
    only_web = client.get(URL, headers=headers, params={"channel": "web"}).json()
    assert only_web["csat"]["count"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-11-20", "end": "2026-11-10"},  # end before start
        {"start": "2025-01-01", "end": "2026-11-29"},  # more than a year
    ],
)
def test_invalid_ranges_are_422(
    client: TestClient, session: Session, params: dict[str, str]
) -> None:
    headers = login(client, make_staff(session, "supervisor", "总行"))
    assert_error(client.get(URL, headers=headers, params=params), 422, "invalid_date_range")


def test_seeded_demo_data_is_deterministic_and_realistic(clock: FakeClock) -> None:
    customers = [{"id": i, "tier": "普通", "city": "北京"} for i in range(1, 21)]
    staff = [
        {"id": 1, "role": "agent", "branch": "北京分行", "display_name": "小李"},
        {"id": 2, "role": "supervisor", "branch": "总行", "display_name": "张主管"},
    ]
    first = generate_complaints(customers=customers, today=TODAY, staff=staff)
    assert first == generate_complaints(customers=customers, today=TODAY, staff=staff)
    complaints = first["complaints"]
    assert 250 <= len(complaints) <= 300
    assert {c["category"] for c in complaints} == {
        "服务态度",
        "收费",
        "系统故障",
        "业务办理",
        "产品",
        "其他",
    }
    assert {c["status"] for c in complaints} == {"已受理", "处理中", "已解决", "已关闭"}
    assert len({c["number"] for c in complaints}) == len(complaints)
    surveys = first["satisfaction_responses"]
    assert len(surveys) >= 5000
    assert any(s["comment"] and s["score"] <= 2 for s in surveys)
