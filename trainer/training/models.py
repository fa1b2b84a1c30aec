"""Retraining runs started from the staff console: `rasa train`, then a model reload."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_api.clock import utc_now
from crm_api.database import Base, UTCDateTime

RunStatus = Literal["running", "succeeded", "failed"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
#: the stages a run goes through, in order; "failed" can follow any of the first three
Stage = Literal["queued", "training", "loading", "done", "failed"]
STAGES: tuple[Stage, ...] = get_args(Stage)


class TrainingRun(Base):
    """One retrain-and-reload run.

    At most one run is `running` at a time (a partial unique index), whichever crm_api
    instance started it. `owner` names the process that runs it and `heartbeat_at` is
    refreshed while it runs, so a run orphaned by a restart is recognised on read.
    """

    __tablename__ = "training_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="status"),
        CheckConstraint(
            "stage IN ('queued', 'training', 'loading', 'done', 'failed')", name="stage"
        ),
        Index(
            "uq_training_runs_running",
            "status",
            unique=True,
            sqlite_where="status = 'running'",
            postgresql_where="status = 'running'",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    status: Mapped[RunStatus] = mapped_column(String(10), default="running")
    stage: Mapped[Stage] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0, comment="0-100")
    step: Mapped[str | None] = mapped_column(String(200), comment="what it is doing, Chinese")
    owner: Mapped[str] = mapped_column(String(120), comment="host:pid:boot id of the runner")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    model_file: Mapped[str | None] = mapped_column(String(500), comment="archive trained")
    model_id: Mapped[str | None] = mapped_column(String(64), comment="Rasa model_id")
    log_tail: Mapped[str] = mapped_column(Text, default="", comment="last lines, PII masked")
    error_code: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text, comment="Chinese, PII masked")
