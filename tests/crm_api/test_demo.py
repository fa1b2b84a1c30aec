"""Demo-only routes: simulated SMS outbox and app-token issuer."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_api.otp.sms import record_sms
from tests.crm_api.conftest import APP_SECRET, FakeClock, assert_error, build_app, make_settings
from tests.crm_api.factories import CustomerFactory


@pytest.fixture
def demo_off_client(session: Session, clock: FakeClock, database_url: str) -> Iterator[TestClient]:
    app = build_app(make_settings(database_url, crm_demo_mode=False), session, clock)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/demo/sms-outbox"),  # the simulated SMS gateway
        ("POST", "/api/v1/demo/app-token"),  # the simulated app login
    ],
)
def test_demo_routes_absent_when_demo_mode_off(
    demo_off_client: TestClient, method: str, path: str
) -> None:
    response = demo_off_client.request(method, path, json={"phone": "13800138000"})
    assert_error(response, 404, "not_found")
    assert path not in demo_off_client.get("/openapi.json").json()["paths"]


def test_outbox_lists_newest_first_and_filters_by_phone(
    anonymous_client: TestClient, session: Session, clock: FakeClock
) -> None:
    record_sms(session=session, phone="13800138000", text="第一条", now=clock())
    clock.advance(10)
    record_sms(session=session, phone="13900139000", text="别人的", now=clock())
    clock.advance(10)
    record_sms(session=session, phone="13800138000", text="第二条", now=clock())
    mine = anonymous_client.get("/api/v1/demo/sms-outbox", params={"phone": "13800138000"})
    assert [m["text"] for m in mine.json()] == ["第二条", "第一条"]
    assert mine.json()[0]["phone"] == "13800138000"
    assert mine.json()[0]["sent_at"] == "2026-11-29T12:00:20+08:00"
    assert len(anonymous_client.get("/api/v1/demo/sms-outbox").json()) == 3


def test_app_token_is_an_hs256_jwt_for_the_customer(
    anonymous_client: TestClient, clock: FakeClock
) -> None:
    customer = CustomerFactory(phone="13800138000")
    response = anonymous_client.post("/api/v1/demo/app-token", json={"phone": "13800138000"})
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == customer.id
    claims = jwt.decode(
        body["token"],
        APP_SECRET,
        algorithms=["HS256"],
        issuer="demo-app",
        options={"verify_exp": False},
    )
    now = int(clock().timestamp())
    assert claims == {"sub": str(customer.id), "iss": "demo-app", "iat": now, "exp": now + 3600}


def test_app_token_for_unknown_phone(anonymous_client: TestClient) -> None:
    response = anonymous_client.post("/api/v1/demo/app-token", json={"phone": "13912345678"})
    assert_error(response, 404, "customer_not_found")
