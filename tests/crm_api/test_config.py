"""Settings: secrets required, placeholders refused in production, demo forced off there."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from crm_api.database import create_db_engine
from crm_api.main import create_app
from tests.crm_api.conftest import APP_SECRET, SERVICE_TOKEN, make_settings

STRONG = "s" * 40


@pytest.mark.parametrize(
    ("service_token", "app_secret"),
    [
        ("change-me", STRONG),  # the .env.example placeholder as service token
        (STRONG, "change-me"),  # the placeholder as JWT key
        ("short-but-not-placeholder", STRONG),  # too short for production
        (STRONG, "secret"),  # a well-known placeholder word
    ],
)
def test_production_refuses_placeholder_or_short_secrets(
    service_token: str, app_secret: str
) -> None:
    with pytest.raises(ValidationError, match="refused in production"):
        make_settings(
            crm_env="production", crm_service_token=service_token, app_token_secret=app_secret
        )


def test_production_refuses_to_start_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).parent)  # no stray .env
    monkeypatch.setenv("CRM_ENV", "production")
    monkeypatch.setenv("CRM_SERVICE_TOKEN", "change-me")
    monkeypatch.setenv("APP_TOKEN_SECRET", "change-me")
    monkeypatch.setenv("CRM_DATABASE_URL", "sqlite:///:memory:")
    with pytest.raises(ValidationError):
        create_app()


def test_secrets_have_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_SERVICE_TOKEN", raising=False)
    monkeypatch.delenv("APP_TOKEN_SECRET", raising=False)
    from crm_api.config import Settings

    with pytest.raises(ValidationError) as excinfo:
        Settings(_env_file=None)  # type: ignore[call-arg]
    missing = {e["loc"][0] for e in excinfo.value.errors()}
    assert missing == {"crm_service_token", "app_token_secret"}


def test_production_forces_demo_mode_off() -> None:
    settings = make_settings(
        crm_env="production", crm_demo_mode=True, crm_service_token=STRONG, app_token_secret=STRONG
    )
    assert settings.demo_enabled is False
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/demo/sms-outbox").status_code == 404
        assert (
            client.post("/api/v1/demo/app-token", json={"phone": "13800138000"}).json()["code"]
            == "not_found"
        )


def test_development_accepts_short_secrets() -> None:
    settings = make_settings(crm_service_token=SERVICE_TOKEN[:8], app_token_secret=APP_SECRET[:8])
    assert settings.crm_env == "development"


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    db_file = tmp_path / "nested" / "var" / "crm.db"
    engine = create_db_engine(f"sqlite:///{db_file}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    assert db_file.parent.is_dir()


def test_default_database_url_is_sqlite_under_var() -> None:
    from crm_api.config import DatabaseSettings

    field = DatabaseSettings.model_fields["crm_database_url"]
    assert field.default == "sqlite:///var/crm.db"
