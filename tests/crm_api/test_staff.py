"""Staff login sessions, roles, cookies and the demo-password rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.deps import STAFF_COOKIE
from crm_api.staff import seed as staff_seed
from crm_api.staff.models import StaffSession, StaffUser
from crm_api.staff.service import DEMO_DEFAULT_PASSWORD, verify_password
from tests.crm_api.conftest import FakeClock, assert_error, build_app, make_settings
from tests.crm_api.staff_helpers import PASSWORD, login, make_staff

LOGIN = "/api/v1/staff/login"


def test_login_returns_a_token_and_an_httponly_strict_cookie(
    client: TestClient, session: Session
) -> None:
    staff = make_staff(session, "agent", display_name="小李")
    response = client.post(LOGIN, json={"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["staff"] == {
        "id": staff.id,
        "username": staff.username,
        "display_name": "小李",
        "role": "agent",
        "branch": "北京分行",
    }
    cookie = response.headers["set-cookie"]
    assert f"{STAFF_COOKIE}={body['token']}" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    # only a hash of the token is stored
    stored = session.scalars(select(StaffSession.token_hash)).all()
    assert body["token"] not in stored and len(stored) == 1


def test_password_is_stored_as_an_argon2_hash(session: Session) -> None:
    staff = make_staff(session)
    assert staff.password_hash.startswith("$argon2id$")
    assert PASSWORD not in staff.password_hash
    assert verify_password(staff.password_hash, PASSWORD)
    assert not verify_password(staff.password_hash, PASSWORD + "x")


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("exists", "wrong-password"),  # wrong password
        ("nobody", PASSWORD),  # unknown user: same answer, no user enumeration
    ],
)
def test_bad_credentials_are_401(
    anonymous_client: TestClient, session: Session, username: str, password: str
) -> None:
    make_staff(session, username="exists")
    response = anonymous_client.post(LOGIN, json={"username": username, "password": password})
    assert_error(response, 401, "invalid_credentials")


def test_repeated_failures_lock_the_account_for_a_while(
    anonymous_client: TestClient, session: Session, clock: FakeClock
) -> None:
    staff = make_staff(session)
    for _ in range(5):
        anonymous_client.post(LOGIN, json={"username": staff.username, "password": "nope"})
    locked = anonymous_client.post(LOGIN, json={"username": staff.username, "password": PASSWORD})
    body = assert_error(locked, 423, "staff_locked")
    assert 0 < body["retry_after"] <= 900
    clock.advance(901)
    assert (
        anonymous_client.post(
            LOGIN, json={"username": staff.username, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_me_with_bearer_and_with_cookie(client: TestClient, session: Session) -> None:
    staff = make_staff(session, "supervisor", "总行")
    headers = login(client, staff)
    assert client.get("/api/v1/staff/me", headers=headers).json()["role"] == "supervisor"
    with TestClient(client.app) as browser:  # no service token: cookie only
        browser.post(LOGIN, json={"username": staff.username, "password": PASSWORD})
        assert browser.get("/api/v1/staff/me").json()["id"] == staff.id


def test_cookie_writes_need_the_csrf_header(client: TestClient, session: Session) -> None:
    staff = make_staff(session)
    with TestClient(client.app) as browser:
        browser.post(LOGIN, json={"username": staff.username, "password": PASSWORD})
        assert_error(browser.post("/api/v1/staff/logout"), 401, "not_authenticated")
        response = browser.post("/api/v1/staff/logout", headers={"X-Requested-With": "fetch"})
        assert response.status_code == 204
        assert_error(browser.get("/api/v1/staff/me"), 401, "not_authenticated")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/staff/me",  # profile
        "/api/v1/staff/complaints",  # complaint handling
        "/api/v1/staff/dashboard",  # manager dashboard
        "/api/v1/staff/users",  # colleagues
    ],
)
def test_unauthenticated_calls_get_401(anonymous_client: TestClient, path: str) -> None:
    response = assert_error(anonymous_client.get(path), 401, "not_authenticated")
    assert response["detail"]


def test_the_service_token_is_not_a_staff_session(client: TestClient) -> None:
    # `client` carries the action server's bearer token
    assert_error(client.get("/api/v1/staff/complaints"), 401, "not_authenticated")


def test_sessions_expire_and_logout_revokes(
    client: TestClient, session: Session, clock: FakeClock
) -> None:
    staff = make_staff(session)
    first, second = login(client, staff), login(client, staff)
    assert client.post("/api/v1/staff/logout", headers=first).status_code == 204
    assert_error(client.get("/api/v1/staff/me", headers=first), 401, "not_authenticated")
    assert client.get("/api/v1/staff/me", headers=second).status_code == 200
    clock.advance(8 * 3600 + 1)
    assert_error(client.get("/api/v1/staff/me", headers=second), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 403),  # agents handle complaints, they do not see the dashboard
        ("supervisor", 200),  # managers do
        ("trainer", 200),  # trainers read CSAT by intent
    ],
)
def test_dashboard_roles(client: TestClient, session: Session, role: str, status: int) -> None:
    headers = login(client, make_staff(session, role))
    response = client.get("/api/v1/staff/dashboard", headers=headers)
    assert response.status_code == status, response.text
    if status == 403:
        assert_error(response, 403, "forbidden")


def test_trainers_cannot_handle_complaints(client: TestClient, session: Session) -> None:
    headers = login(client, make_staff(session, "trainer", "总行"))
    assert_error(client.get("/api/v1/staff/complaints", headers=headers), 403, "forbidden")


def test_agents_list_only_colleagues_of_their_branch(client: TestClient, session: Session) -> None:
    agent = make_staff(session, "agent", "北京分行")
    make_staff(session, "agent", "上海分行")
    users = client.get("/api/v1/staff/users", headers=login(client, agent)).json()
    assert {u["branch"] for u in users} == {"北京分行"}


def test_production_refuses_the_documented_demo_password(
    database_url: str, session: Session, clock: FakeClock
) -> None:
    settings = make_settings(
        database_url,
        crm_env="production",
        crm_demo_mode=False,
        crm_service_token="p" * 40,
        app_token_secret="q" * 40,
    )
    staff = make_staff(session, password=DEMO_DEFAULT_PASSWORD)
    other = make_staff(session, password="a-real-strong-passphrase")
    with TestClient(build_app(settings, session, clock)) as prod:
        refused = prod.post(
            LOGIN, json={"username": staff.username, "password": DEMO_DEFAULT_PASSWORD}
        )
        assert_error(refused, 403, "default_password_refused")
        ok = prod.post(
            LOGIN, json={"username": other.username, "password": "a-real-strong-passphrase"}
        )
        assert ok.status_code == 200
        assert "Secure" in ok.headers["set-cookie"]


def test_demo_staff_use_the_env_password_and_are_skipped_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_ENV", "development")
    monkeypatch.setenv("CRM_STAFF_DEMO_PASSWORD", "from-the-environment")
    rows = staff_seed.staff_rows()
    assert {r["role"] for r in rows} == {"agent", "supervisor", "trainer"}
    assert verify_password(rows[0]["password_hash"], "from-the-environment")
    monkeypatch.delenv("CRM_STAFF_DEMO_PASSWORD")
    assert verify_password(staff_seed.staff_rows()[0]["password_hash"], DEMO_DEFAULT_PASSWORD)
    monkeypatch.setenv("CRM_ENV", "production")
    assert staff_seed.staff_rows() == []


def test_inactive_staff_cannot_log_in(anonymous_client: TestClient, session: Session) -> None:
    staff = make_staff(session)
    staff.active = False
    session.flush()
    response = anonymous_client.post(LOGIN, json={"username": staff.username, "password": PASSWORD})
    assert_error(response, 401, "invalid_credentials")
    assert session.get(StaffUser, staff.id) is not None


def test_manage_create_staff(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_api.database import create_db_engine, create_session_factory
    from crm_api.manage import main as manage_main
    from tests.crm_api.conftest import migrate

    url = f"sqlite:///{tmp_path / 'staff.db'}"
    migrate(url)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    args = [
        "create-staff",
        "wangjl",
        "--display-name",
        "王经理",
        "--role",
        "supervisor",
        "--branch",
        "总行",
    ]
    monkeypatch.setenv("CRM_NEW_STAFF_PASSWORD", DEMO_DEFAULT_PASSWORD)
    assert manage_main(args) == 1  # the public demo password is refused
    monkeypatch.setenv("CRM_NEW_STAFF_PASSWORD", "short")
    assert manage_main(args) == 1
    monkeypatch.setenv("CRM_NEW_STAFF_PASSWORD", "a-long-enough-passphrase")
    assert manage_main(args) == 0
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:
        staff = session.scalars(select(StaffUser)).one()
        assert (staff.display_name, staff.role) == ("王经理", "supervisor")
        assert verify_password(staff.password_hash, "a-long-enough-passphrase")
    engine.dispose()
