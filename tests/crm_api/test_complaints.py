"""Complaints: filing (idempotent), numbers, SLA deadlines, lifecycle, permissions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bankkit.complaints import COMPLAINT_CATEGORIES
from crm_api.clock import SHANGHAI
from crm_api.complaints.models import Complaint, FollowUpTask
from crm_api.complaints.sla import REGULATORY_MAX_HOURS, SLA_HOURS, sla_hours
from crm_api.satisfaction.models import SatisfactionResponse
from tests.crm_api.conftest import T0, FakeClock, assert_error
from tests.crm_api.factories import CustomerFactory
from tests.crm_api.staff_helpers import login, make_staff

FILE = "/api/v1/complaints"


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "category": "收费",
        "description": "我的卡莫名其妙被扣了年费",
        "contact_method": "电话",
        "channel": "web",
        "conversation_id": "conv-1",
    }
    body.update(overrides)
    return body


def _file(client: TestClient, key: str | None = None, **overrides: Any) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    response = client.post(FILE, json=_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------- SLA table


@pytest.mark.parametrize(
    ("category", "tier", "hours"),
    [
        ("系统故障", "私行", 24),  # a fault stopping the best customers: one day
        ("系统故障", "普通", 48),  # faults: two days for everyone else
        ("服务态度", "白金", 48),
        ("收费", "金卡", 120),
        ("产品", "私行", 72),
        ("其他", "普通", 360),  # the regulatory ceiling: 15 days
        ("其他", None, 360),  # anonymous visitors get the 普通 column
    ],
)
def test_sla_table(category: str, tier: str | None, hours: int) -> None:
    assert sla_hours(category, tier) == hours


def test_every_category_has_its_row() -> None:
    assert set(SLA_HOURS) == set(COMPLAINT_CATEGORIES)


def test_no_deadline_exceeds_the_regulatory_15_days() -> None:
    assert all(h <= REGULATORY_MAX_HOURS for row in SLA_HOURS.values() for h in row.values())
    # better tiers never wait longer
    for row in SLA_HOURS.values():
        hours = [row[t] for t in ("普通", "金卡", "白金", "私行")]
        assert hours == sorted(hours, reverse=True)


# ---------------------------------------------------------------- filing


def test_a_verified_customer_files_a_complaint(client: TestClient, clock: FakeClock) -> None:
    customer = CustomerFactory(tier="私行", city="上海")
    body = _file(client, customer_id=customer.id, category="系统故障")
    assert body["number"] == "TS202611290001"  # T0 is 2026-11-29 in Beijing
    assert body["status"] == "已受理" and body["created"] is True
    assert body["sla_hours"] == 24
    assert datetime.fromisoformat(body["due_at"]) == T0 + timedelta(hours=24)
    assert body["due_at"].endswith("+08:00")


def test_branch_and_tier_come_from_the_customer(client: TestClient, session: Session) -> None:
    customer = CustomerFactory(tier="金卡", city="广州")
    number = _file(client, customer_id=customer.id)["number"]
    complaint = session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    assert (complaint.branch, complaint.customer_tier) == ("广州分行", "金卡")
    assert [n.kind for n in complaint.notes] == ["created"]


def test_anonymous_visitors_must_leave_a_phone(client: TestClient, session: Session) -> None:
    assert_error(client.post(FILE, json=_body()), 422, "contact_phone_required")
    assert_error(
        client.post(FILE, json=_body(contact_phone="12345")), 422, "contact_phone_required"
    )
    number = _file(client, contact_phone="139 0013 9000", contact_name="王先生")["number"]
    complaint = session.scalar(select(Complaint).where(Complaint.number == number))
    assert complaint is not None
    assert complaint.contact_phone == "13900139000"
    assert (complaint.branch, complaint.customer_tier) == ("远程银行中心", "普通")


def test_unknown_customer_is_404(client: TestClient) -> None:
    assert_error(client.post(FILE, json=_body(customer_id=987654)), 404, "customer_not_found")


def test_numbers_count_per_beijing_day(client: TestClient, clock: FakeClock) -> None:
    customer = CustomerFactory()
    first = _file(client, customer_id=customer.id)["number"]
    second = _file(client, customer_id=customer.id)["number"]
    clock.advance(24 * 3600)
    third = _file(client, customer_id=customer.id)["number"]
    assert (first, second, third) == ("TS202611290001", "TS202611290002", "TS202611300001")


def test_a_retried_request_does_not_create_a_second_complaint(
    client: TestClient, session: Session
) -> None:
    customer = CustomerFactory()
    first = client.post(
        FILE, json=_body(customer_id=customer.id), headers={"Idempotency-Key": "conv-1:7"}
    )
    retry = client.post(
        FILE, json=_body(customer_id=customer.id), headers={"Idempotency-Key": "conv-1:7"}
    )
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["number"] == first.json()["number"]
    assert retry.json()["created"] is False
    assert session.scalar(select(func.count(Complaint.id))) == 1


def test_an_idempotency_key_cannot_be_reused_for_another_complaint(client: TestClient) -> None:
    customer = CustomerFactory()
    _file(client, "conv-1:7", customer_id=customer.id)
    other = client.post(
        FILE,
        json=_body(customer_id=customer.id, description="另一件事"),
        headers={"Idempotency-Key": "conv-1:7"},
    )
    assert_error(other, 409, "idempotency_key_reused")


def test_filing_needs_the_service_token(anonymous_client: TestClient) -> None:
    assert_error(
        anonymous_client.post(FILE, json=_body(contact_phone="13900139000")), 401, "unauthorized"
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"category": "乱七八糟"},  # not one of the six categories
        {"contact_method": "飞鸽传书"},  # unknown contact method
        {"description": ""},  # nothing said
    ],
)
def test_invalid_bodies_are_422(client: TestClient, overrides: dict[str, Any]) -> None:
    body = _body(contact_phone="13900139000", **overrides)
    assert_error(client.post(FILE, json=body), 422, "validation_error")


# ---------------------------------------------------------------- customer reads status


def test_status_is_only_shown_to_the_owner(client: TestClient) -> None:
    owner, stranger = CustomerFactory(), CustomerFactory()
    number = _file(client, customer_id=owner.id)["number"]
    mine = client.get(f"{FILE}/{number}", params={"customer_id": owner.id})
    assert mine.status_code == 200
    assert mine.json()["status"] == "已受理"
    assert "投诉已受理" in mine.json()["latest_note"]
    assert_error(
        client.get(f"{FILE}/{number}", params={"customer_id": stranger.id}),
        404,
        "complaint_not_found",
    )
    assert_error(client.get(f"{FILE}/{number}"), 404, "complaint_not_found")


def test_anonymous_complaints_are_read_with_the_contact_phone(client: TestClient) -> None:
    number = _file(client, contact_phone="13900139000")["number"]
    ok = client.get(f"{FILE}/{number.lower()}", params={"phone": "13900139000"})
    assert ok.status_code == 200
    assert_error(
        client.get(f"{FILE}/{number}", params={"phone": "13800138000"}), 404, "complaint_not_found"
    )


def test_open_complaints_of_a_customer(client: TestClient, session: Session) -> None:
    customer = CustomerFactory()
    supervisor = make_staff(session, "supervisor", "总行")
    headers = login(client, supervisor)
    first = _file(client, customer_id=customer.id)["number"]
    _file(client, customer_id=customer.id)
    complaint_id = session.scalar(select(Complaint.id).where(Complaint.number == first))
    client.post(
        f"/api/v1/staff/complaints/{complaint_id}/status",
        json={"status": "已解决", "resolution": "已退还年费"},
        headers=headers,
    )
    all_ = client.get(f"/api/v1/customers/{customer.id}/complaints").json()
    open_ = client.get(
        f"/api/v1/customers/{customer.id}/complaints", params={"open_only": True}
    ).json()
    assert len(all_) == 2 and len(open_) == 1 and open_[0]["number"] != first


# ---------------------------------------------------------------- lifecycle


@pytest.fixture
def filed(client: TestClient) -> dict[str, Any]:
    customer = CustomerFactory(city="北京", tier="普通")
    number = _file(client, customer_id=customer.id, category="服务态度")["number"]
    return {"number": number, "customer_id": customer.id}


def _id(session: Session, number: str) -> int:
    value = session.scalar(select(Complaint.id).where(Complaint.number == number))
    assert value is not None
    return value


def test_full_lifecycle_with_follow_up_and_survey(
    client: TestClient, session: Session, clock: FakeClock, filed: dict[str, Any]
) -> None:
    agent = make_staff(session, "agent", "北京分行", display_name="小李")
    supervisor = make_staff(session, "supervisor", "总行")
    agent_h, sup_h = login(client, agent), login(client, supervisor)
    cid = _id(session, filed["number"])
    url = f"/api/v1/staff/complaints/{cid}"

    taken = client.post(
        f"{url}/status", json={"status": "处理中", "note": "已致电客户"}, headers=agent_h
    ).json()
    assert taken["status"] == "处理中"
    assert taken["assignee_name"] == "小李"  # taking a complaint assigns it
    assert_error(
        client.post(f"{url}/status", json={"status": "已解决"}, headers=agent_h),
        422,
        "resolution_required",
    )

    clock.advance(3600)
    resolved = client.post(
        f"{url}/status",
        json={"status": "已解决", "resolution": "已对员工批评教育并致歉"},
        headers=agent_h,
    ).json()
    assert resolved["resolved_at"] is not None and resolved["sla_breached"] is False
    assert resolved["follow_ups"][0]["status"] == "待回访"
    survey = session.scalar(
        select(SatisfactionResponse).where(SatisfactionResponse.complaint_id == cid)
    )
    assert survey is not None and (survey.kind, survey.status) == ("complaint", "pending")
    status = client.get(
        f"/api/v1/complaints/{filed['number']}", params={"customer_id": filed["customer_id"]}
    ).json()
    assert status["status"] == "已解决"
    assert status["latest_note"] == "处理结果：已对员工批评教育并致歉"

    done = client.post(
        f"{url}/follow-up", json={"outcome": "客户认可", "score": 4}, headers=agent_h
    )
    assert done.status_code == 200 and done.json()["status"] == "已完成"
    session.refresh(survey)
    assert (survey.status, survey.score) == ("answered", 4)

    closed = client.post(f"{url}/status", json={"status": "已关闭"}, headers=agent_h).json()
    assert closed["status"] == "已关闭" and closed["closed_at"]
    # reopening a closed complaint is a supervisor's decision
    assert_error(
        client.post(f"{url}/status", json={"status": "处理中"}, headers=agent_h), 403, "forbidden"
    )
    reopened = client.post(
        f"{url}/status", json={"status": "处理中", "note": "客户不认可"}, headers=sup_h
    ).json()
    assert (reopened["status"], reopened["reopen_count"]) == ("处理中", 1)
    assert reopened["resolved_at"] is None and reopened["closed_at"] is None
    kinds = [n["kind"] for n in reopened["notes"]]
    assert kinds.count("status") == 4
    client.post(
        f"{url}/status", json={"status": "已解决", "resolution": "再次处理"}, headers=agent_h
    )
    assert (
        session.scalar(select(func.count(FollowUpTask.id)).where(FollowUpTask.complaint_id == cid))
        == 2
    )


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "已关闭"),  # cannot close what was never resolved
        (["处理中"], "已受理"),  # no way back to 已受理
        (["已解决"], "已解决"),  # already resolved
    ],
)
def test_invalid_transitions_are_409(
    client: TestClient, session: Session, filed: dict[str, Any], path: list[str], target: str
) -> None:
    headers = login(client, make_staff(session, "supervisor", "总行"))
    url = f"/api/v1/staff/complaints/{_id(session, filed['number'])}/status"
    for status in path:
        client.post(url, json={"status": status, "resolution": "处理完毕"}, headers=headers)
    body = assert_error(
        client.post(url, json={"status": target, "resolution": "x"}, headers=headers),
        409,
        "invalid_status_transition",
    )
    assert body["requested"] == target


def test_breach_flag_after_the_deadline(
    client: TestClient, session: Session, clock: FakeClock, filed: dict[str, Any]
) -> None:
    headers = login(client, make_staff(session, "supervisor", "总行"))
    listed = client.get(
        "/api/v1/staff/complaints", params={"breached": True}, headers=headers
    ).json()
    assert listed["total"] == 0
    clock.advance(72 * 3600 + 1)  # 服务态度 for 普通: 72 hours
    headers = login(client, make_staff(session, "supervisor", "总行"))
    listed = client.get(
        "/api/v1/staff/complaints", params={"breached": True}, headers=headers
    ).json()
    assert [c["number"] for c in listed["items"]] == [filed["number"]]
    status = client.get(
        f"/api/v1/complaints/{filed['number']}", params={"customer_id": filed["customer_id"]}
    ).json()
    assert status["sla_breached"] is True


def test_agents_only_see_their_own_branch(
    client: TestClient, session: Session, filed: dict[str, Any]
) -> None:
    beijing = login(client, make_staff(session, "agent", "北京分行"))
    shanghai = login(client, make_staff(session, "agent", "上海分行"))
    supervisor = login(client, make_staff(session, "supervisor", "总行"))
    cid = _id(session, filed["number"])
    assert client.get("/api/v1/staff/complaints", headers=beijing).json()["total"] == 1
    assert client.get("/api/v1/staff/complaints", headers=shanghai).json()["total"] == 0
    assert client.get("/api/v1/staff/complaints", headers=supervisor).json()["total"] == 1
    for method, path, body in [
        ("get", "", None),
        ("post", "/notes", {"body": "看看"}),
        ("post", "/status", {"status": "处理中"}),
    ]:
        response = client.request(
            method.upper(), f"/api/v1/staff/complaints/{cid}{path}", json=body, headers=shanghai
        )
        assert_error(response, 404, "complaint_not_found")


def test_assignment_rules(client: TestClient, session: Session, filed: dict[str, Any]) -> None:
    agent = make_staff(session, "agent", "北京分行")
    colleague = make_staff(session, "agent", "北京分行", display_name="小张")
    elsewhere = make_staff(session, "agent", "上海分行")
    supervisor = make_staff(session, "supervisor", "总行")
    url = f"/api/v1/staff/complaints/{_id(session, filed['number'])}/assign"
    agent_h, sup_h = login(client, agent), login(client, supervisor)
    assert_error(
        client.post(url, json={"assignee_id": colleague.id}, headers=agent_h), 403, "forbidden"
    )
    assert client.post(url, json={"assignee_id": agent.id}, headers=agent_h).status_code == 200
    assert_error(
        client.post(url, json={"assignee_id": elsewhere.id}, headers=sup_h),
        422,
        "assignee_not_allowed",
    )
    done = client.post(url, json={"assignee_id": colleague.id}, headers=sup_h).json()
    assert done["assignee_name"] == "小张"
    assert done["notes"][-1]["body"] == "分派给 小张"


def test_only_public_notes_reach_the_customer(
    client: TestClient, session: Session, clock: FakeClock, filed: dict[str, Any]
) -> None:
    headers = login(client, make_staff(session, "agent", "北京分行"))
    url = f"/api/v1/staff/complaints/{_id(session, filed['number'])}/notes"
    clock.advance(60)
    assert (
        client.post(
            url, json={"body": "已联系网点负责人核实", "public": True}, headers=headers
        ).status_code
        == 201
    )
    clock.advance(60)
    client.post(url, json={"body": "内部：该员工本月第二次被投诉"}, headers=headers)
    status = client.get(
        f"/api/v1/complaints/{filed['number']}", params={"customer_id": filed["customer_id"]}
    ).json()
    assert status["latest_note"] == "已联系网点负责人核实"


def test_list_filters(client: TestClient, session: Session) -> None:
    customer = CustomerFactory(city="北京")
    _file(client, customer_id=customer.id, category="收费")
    _file(client, customer_id=customer.id, category="系统故障", description="APP闪退")
    headers = login(client, make_staff(session, "supervisor", "总行"))
    by_category = client.get(
        "/api/v1/staff/complaints", params={"category": "系统故障"}, headers=headers
    ).json()
    assert [c["category"] for c in by_category["items"]] == ["系统故障"]
    by_text = client.get("/api/v1/staff/complaints", params={"q": "闪退"}, headers=headers).json()
    assert by_text["total"] == 1
    today = T0.astimezone(SHANGHAI).date()
    by_day = client.get(
        "/api/v1/staff/complaints", headers=headers, params={"start": str(today), "end": str(today)}
    ).json()
    assert by_day["total"] == 2
    yesterday = client.get(
        "/api/v1/staff/complaints", headers=headers, params={"end": str(today - timedelta(days=1))}
    ).json()
    assert yesterday["total"] == 0
