"""One-time codes: request, verify, expiry, single use, lock, rate limit, hashing."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.customers.models import Customer
from crm_api.otp.models import OtpCode
from tests.crm_api.conftest import FakeClock, assert_error
from tests.crm_api.factories import CustomerFactory

PHONE = "13800138000"


@pytest.fixture
def customer(session: Session) -> Customer:
    return CustomerFactory(name="张伟", phone=PHONE)  # type: ignore[no-any-return]


def request_code(client: TestClient, phone: str = PHONE) -> str:
    """Ask for a code and read it from the demo SMS outbox, as the demo user would."""
    response = client.post("/api/v1/otp/request", json={"phone": phone})
    assert response.status_code == 202, response.text
    assert response.json() == {"expires_in": 300, "masked_phone": "138****8000"}
    text = client.get("/api/v1/demo/sms-outbox", params={"phone": phone}).json()[0]["text"]
    match = re.search(r"验证码为(\d{6})", text)
    assert match, text
    return match.group(1)


def verify(client: TestClient, code: str, phone: str = PHONE):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/otp/verify", json={"phone": phone, "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_full_round_trip_and_single_use(client: TestClient, customer: Customer) -> None:
    code = request_code(client)
    response = verify(client, code)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "customer_id": customer.id,
        "name": "张伟",
        "masked_phone": "138****8000",
    }
    # the same code again: already consumed
    assert_error(verify(client, code), 410, "otp_expired")


def test_only_a_hash_is_stored(client: TestClient, session: Session) -> None:
    CustomerFactory(phone=PHONE)
    code = request_code(client)
    row = session.scalars(select(OtpCode).where(OtpCode.phone == PHONE)).one()
    assert re.fullmatch(r"[0-9a-f]{64}", row.code_hash)
    values = " ".join(str(getattr(row, c.key)) for c in OtpCode.__table__.columns)
    assert code not in values


def test_expired_code_is_otp_expired(
    client: TestClient, customer: Customer, clock: FakeClock
) -> None:
    code = request_code(client)
    clock.advance(299)
    assert verify(client, wrong(code)).status_code == 400  # still alive at 299 s
    clock.advance(2)
    assert_error(verify(client, code), 410, "otp_expired")


def test_verify_without_any_request_is_otp_expired(client: TestClient, customer: Customer) -> None:
    assert_error(verify(client, "123456"), 410, "otp_expired")


def test_wrong_codes_count_down_then_lock(
    client: TestClient, customer: Customer, clock: FakeClock
) -> None:
    code = request_code(client)
    for remaining in (4, 3, 2, 1):
        body = assert_error(verify(client, wrong(code)), 400, "otp_invalid")
        assert body["remaining_attempts"] == remaining
    body = assert_error(verify(client, wrong(code)), 423, "otp_locked")
    assert body["retry_after"] == 900
    # locked: even the right code and a new request are refused
    body = assert_error(verify(client, code), 423, "otp_locked")
    assert body["retry_after"] == 900
    clock.advance(600)
    locked = client.post("/api/v1/otp/request", json={"phone": PHONE})
    assert assert_error(locked, 423, "otp_locked")["retry_after"] == 300
    assert locked.headers["Retry-After"] == "300"
    # after the lock the old code is dead, a new one works
    clock.advance(301)
    assert_error(verify(client, code), 410, "otp_expired")
    assert verify(client, request_code(client)).status_code == 200


def test_a_new_code_does_not_reset_the_failure_count(
    client: TestClient, customer: Customer, clock: FakeClock
) -> None:
    code = request_code(client)
    for _ in range(3):
        verify(client, wrong(code))
    clock.advance(61)
    code = request_code(client)
    assert assert_error(verify(client, wrong(code)), 400, "otp_invalid")["remaining_attempts"] == 1


def test_success_resets_the_failure_count(
    client: TestClient, customer: Customer, clock: FakeClock
) -> None:
    code = request_code(client)
    verify(client, wrong(code))
    assert verify(client, code).status_code == 200
    clock.advance(61)
    code = request_code(client)
    assert verify(client, wrong(code)).json()["remaining_attempts"] == 4


def test_a_resend_supersedes_the_previous_code(
    client: TestClient, customer: Customer, clock: FakeClock
) -> None:
    first = request_code(client)
    clock.advance(61)
    second = request_code(client)
    if first != second:  # 1 in a million they coincide
        assert_error(verify(client, first), 400, "otp_invalid")
    assert verify(client, second).status_code == 200


def test_resend_gap_and_hourly_limit(
    client: TestClient, customer: Customer, clock: FakeClock
) -> None:
    request_code(client)
    clock.advance(20)
    too_soon = client.post("/api/v1/otp/request", json={"phone": PHONE})
    assert assert_error(too_soon, 429, "otp_rate_limited")["retry_after"] == 40
    assert too_soon.headers["Retry-After"] == "40"
    clock.advance(40)
    for _ in range(4):  # requests 2–5 of the hour, 10 minutes apart
        request_code(client)
        clock.advance(600)
    # 5 requests at t=0,60,660,1260,1860; now t=2460: the first ages out at t=3600
    sixth = client.post("/api/v1/otp/request", json={"phone": PHONE})
    assert assert_error(sixth, 429, "otp_rate_limited")["retry_after"] == 3600 - 2460
    clock.advance(3600 - 2460)
    request_code(client)


@pytest.mark.parametrize(
    ("phone", "status", "code"),
    [
        ("13912345678", 404, "customer_not_found"),  # well-formed but not a customer
        ("1234", 422, "invalid_phone"),  # malformed
    ],
)
def test_request_for_bad_phone(
    client: TestClient, customer: Customer, phone: str, status: int, code: str
) -> None:
    assert_error(client.post("/api/v1/otp/request", json={"phone": phone}), status, code)


def test_verify_with_malformed_phone_is_invalid_phone(client: TestClient) -> None:
    assert_error(verify(client, "123456", phone="abc"), 422, "invalid_phone")


def test_logs_never_contain_phone_or_code(
    client: TestClient, customer: Customer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = request_code(client)
    verify(client, wrong(code))
    verify(client, code)
    # the server's own lines (the test client's httpx lines are the caller's business)
    server_lines = [r.getMessage() for r in caplog.records if r.name.startswith("crm_api")]
    assert server_lines, "expected some log lines"
    assert not any(PHONE in line or code in line for line in server_lines)


def test_without_demo_mode_no_outbox_row_is_written(
    session: Session, clock: FakeClock, database_url: str
) -> None:
    from fastapi.testclient import TestClient as _TestClient

    from crm_api.otp.models import SmsOutboxMessage
    from tests.crm_api.conftest import SERVICE_TOKEN, build_app, make_settings

    CustomerFactory(phone=PHONE)
    app = build_app(make_settings(database_url, crm_demo_mode=False), session, clock)
    with _TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as client:
        assert client.post("/api/v1/otp/request", json={"phone": PHONE}).status_code == 202
    assert session.scalars(select(SmsOutboxMessage)).all() == []
    assert len(session.scalars(select(OtpCode)).all()) == 1
