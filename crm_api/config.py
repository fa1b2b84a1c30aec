"""Configuration from environment variables (see .env.example)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL

from bankkit.secrets import check_secret

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]


class DatabaseSettings(BaseSettings):
    """Only what migrations need, so `manage migrate` works without the API secrets."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    crm_database_url: str = Field(
        default="sqlite:///var/crm.db",
        description="SQLAlchemy URL; PostgreSQL in production (postgresql+psycopg://…)",
    )


class TrainerSettings(DatabaseSettings):
    """What the trainer tools need (`manage inbox` runs without the API secrets)."""

    # trainer tools: Rasa's tracker store (the same TRACKER_* variables Rasa
    # reads in endpoints.yml) and the git work tree holding data/, tests/stories/, models/
    tracker_dialect: str = Field(default="sqlite", description="sqlite / postgresql")
    tracker_db: str = Field(default="var/tracker.db", description="SQLite file or database")
    tracker_host: str = ""
    tracker_port: str = ""
    tracker_user: str = ""
    tracker_password: SecretStr = SecretStr("")
    trainer_repo_dir: Path = Field(
        default=REPO_ROOT, description="work tree whose data/ and tests/stories/ trainers edit"
    )
    trainer_rasa_bin: str = Field(
        default="", description="rasa executable for retraining (default .venv/bot/bin/rasa)"
    )
    trainer_low_confidence: float = Field(
        default=0.7, gt=0, lt=1, description="inbox: a prediction below this is low-confidence"
    )

    @property
    def tracker_url(self) -> URL:
        """The SQLAlchemy URL of Rasa's SQL tracker store."""
        if self.tracker_dialect == "sqlite":
            return URL.create("sqlite", database=self.tracker_db)
        driver = self.tracker_dialect
        if driver == "postgresql":
            driver = "postgresql+psycopg"
        return URL.create(
            driver,
            username=self.tracker_user or None,
            password=self.tracker_password.get_secret_value() or None,
            host=self.tracker_host or None,
            port=int(self.tracker_port) if self.tracker_port else None,
            database=self.tracker_db or "rasa",
        )

    @property
    def rasa_bin(self) -> Path:
        return Path(self.trainer_rasa_bin or REPO_ROOT / ".venv" / "bot" / "bin" / "rasa")


class Settings(TrainerSettings):
    """All settings of the CRM API.

    Secrets have no default. With `CRM_ENV=production` a placeholder or short secret is
    refused at startup and the demo routes are switched off whatever `CRM_DEMO_MODE` says.
    """

    crm_env: Literal["development", "production"] = "development"
    crm_demo_mode: bool = Field(
        default=False, description="demo SMS outbox + demo app-token routes (never in production)"
    )
    crm_service_token: SecretStr = Field(
        min_length=1, description="Bearer token of the action server"
    )
    app_token_secret: SecretStr = Field(
        min_length=1, description="HS256 key of app identity tokens"
    )
    otp_ttl_seconds: int = Field(default=300, gt=0)
    otp_max_attempts: int = Field(default=5, gt=0)
    otp_lock_seconds: int = Field(default=900, gt=0)
    otp_requests_per_hour: int = Field(default=5, gt=0)
    otp_resend_gap_seconds: int = Field(default=60, ge=0)
    staff_session_hours: float = Field(default=8, gt=0, description="console login lifetime")
    staff_max_failed_logins: int = Field(default=5, gt=0)
    staff_lock_seconds: int = Field(default=900, gt=0)
    # human handoff
    handoff_service_hours: str = Field(
        default="08:00-22:00",
        pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$",
        description="daily window of the live agents, Beijing time (00:00-24:00: always)",
    )
    handoff_presence_seconds: int = Field(
        default=45, gt=0, description="an agent is online while heartbeats are this recent"
    )
    handoff_avg_handle_minutes: float = Field(
        default=5, gt=0, description="handle time assumed before any handoff was closed"
    )
    rasa_url: str = Field(default="http://127.0.0.1:5005", description="a Rasa server")
    rasa_token: SecretStr = Field(
        default=SecretStr(""), description="RASA_TOKEN: Rasa's API and the channel's agent routes"
    )
    redis_url: str = Field(
        default="", description="Redis for console fan-out across crm_api instances"
    )

    @model_validator(mode="after")
    def _check_secrets(self) -> Settings:
        production = self.crm_env == "production"
        for name in ("crm_service_token", "app_token_secret"):
            value: str = getattr(self, name).get_secret_value()
            if check_secret(name.upper(), value, production=production):
                logger.warning("config.placeholder_secret name=%s env=%s", name, self.crm_env)
        if self.crm_env == "production" and self.crm_demo_mode:
            logger.warning("config.demo_mode_forced_off env=production")
            self.crm_demo_mode = False
        return self

    @property
    def demo_enabled(self) -> bool:
        return self.crm_demo_mode and self.crm_env != "production"
