"""Fixtures: one fresh database per backend per session (built by the Alembic migrations),
each test inside a transaction that is rolled back, the app's session and clock overridden.

Backends: SQLite always; PostgreSQL at CRM_TEST_DATABASE_URL, else at
postgresql+psycopg://postgres@127.0.0.1:5432/postgres. A uniquely named database
(crm_test_<hex>) is created on that server and dropped at the end; if the server cannot
be reached the PostgreSQL variant is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crm_api.clock import UTC
from crm_api.config import Settings
from crm_api.database import create_db_engine
from crm_api.deps import get_clock, get_session
from crm_api.main import create_app
from crm_api.manage import alembic_config
from tests.crm_api import factories

SERVICE_TOKEN = "test-service-token-0123456789abcdef"
APP_SECRET = "test-app-token-secret-0123456789abcdef"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# 2026-11-29 12:00 in Beijing
T0 = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


class FakeClock:
    """A controllable clock: tests move time with `advance` instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def migrate(url: str) -> None:
    config = alembic_config(url)
    config.attributes["configure_logger"] = False  # keep pytest's logging setup
    command.upgrade(config, "head")


def _create_pg_database() -> tuple[str, Engine]:
    server_url = make_url(os.environ.get("CRM_TEST_DATABASE_URL", DEFAULT_PG_URL))
    admin = create_engine(
        server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"crm_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    except OperationalError as exc:
        admin.dispose()
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        pytest.skip(f"PostgreSQL unreachable at {server_url.render_as_string()}: {reason}")
    return server_url.set(database=name).render_as_string(hide_password=False), admin


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, migrated database for the whole session, per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('crm') / 'crm_test.db'}"
        migrate(url)
        yield url
        return
    url, admin = _create_pg_database()
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            name = make_url(url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def backend(engine: Engine) -> str:
    return engine.dialect.name


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    `session.commit()` in the code under test only releases a SAVEPOINT.
    """
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        factories.use_session(session)
        try:
            yield session
        finally:
            factories.use_session(None)
            session.close()
            outer.rollback()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def make_settings(database_url: str = "sqlite:///:memory:", **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "crm_env": "development",
        "crm_demo_mode": True,
        "crm_database_url": database_url,
        "crm_service_token": SERVICE_TOKEN,
        "app_token_secret": APP_SECRET,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


def build_app(settings: Settings, session: Session, clock: FakeClock) -> FastAPI:
    app = create_app(settings)

    def _session() -> Iterator[Session]:
        # Rows the test set up are "already in the database" when a request starts
        # (this only releases a SAVEPOINT inside the outer, rolled-back transaction) …
        session.commit()
        try:
            yield session
        finally:
            # … and, like in production, whatever the endpoint did not commit is dropped.
            session.rollback()

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_clock] = lambda: clock
    return app


@pytest.fixture
def app(settings: Settings, session: Session, clock: FakeClock) -> FastAPI:
    return build_app(settings, session, clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as client:
        yield client


@pytest.fixture
def anonymous_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the bank's error shape with a Chinese and an English detail."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    zh, _, en = body["detail"].partition(" / ")
    assert CJK.search(zh), body["detail"]
    assert en and not CJK.search(en), body["detail"]
    return body
