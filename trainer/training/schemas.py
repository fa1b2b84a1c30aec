"""Schemas of the retraining page: the serving model and the training runs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from crm_api.schemas import LocalDateTime
from trainer.training.models import RunStatus, Stage, TrainingRun
from trainer.training.service import ModelOverview

STAGE_LABELS: dict[Stage, str] = {
    "queued": "排队",
    "training": "训练中",
    "loading": "加载新模型",
    "done": "完成",
    "failed": "失败",
}
STATUS_LABELS: dict[RunStatus, str] = {"running": "进行中", "succeeded": "成功", "failed": "失败"}


class ModelArchivePublic(BaseModel):
    """The model archive under the work tree's models/ folder."""

    file: str = Field(examples=["bank-assistant.tar.gz"])
    model_id: str | None
    trained_at: LocalDateTime
    trained_at_source: Literal["metadata", "file_mtime"] = Field(
        description="metadata: the archive's metadata.json; file_mtime: its modification time"
    )
    size_bytes: int


class ServingModelPublic(BaseModel):
    """What the Rasa server's `GET /status` reports."""

    model_file: str = Field(examples=["bank-assistant.tar.gz"])
    model_id: str | None
    num_active_training_jobs: int


class ModelOverviewPublic(BaseModel):
    """The serving model and whether it is stale.

    When the Rasa server cannot be asked, `serving` is null and `rasa_error` says why
    (Chinese); the archive on disk is still described.
    """

    serving: ServingModelPublic | None
    rasa_error: str | None
    archive: ModelArchivePublic | None
    archive_is_serving: bool | None = Field(
        description="the archive on disk is the model being served (null: unknown)"
    )
    inputs_changed_at: LocalDateTime | None = Field(
        description="latest change of config.yml, domain/ or data/"
    )
    data_changed: bool | None = Field(
        description="training data changed after the archive was trained"
    )
    advice: list[str] = Field(description="Chinese hints for the trainer")

    @classmethod
    def of(cls, overview: ModelOverview) -> ModelOverviewPublic:
        archive = overview.archive
        return cls(
            serving=ServingModelPublic(
                model_file=overview.serving_file or "",
                model_id=overview.serving_model_id,
                num_active_training_jobs=overview.active_training_jobs or 0,
            )
            if overview.serving_file is not None
            else None,
            rasa_error=overview.rasa_error,
            archive=ModelArchivePublic(
                file=archive.path.name,
                model_id=archive.model_id,
                trained_at=archive.trained_at,
                trained_at_source=archive.trained_at_source,
                size_bytes=archive.size_bytes,
            )
            if archive
            else None,
            archive_is_serving=overview.archive_is_serving,
            inputs_changed_at=overview.inputs_changed_at,
            data_changed=overview.data_changed,
            advice=overview.advice,
        )


class TrainingRunSummary(BaseModel):
    id: int
    status: RunStatus
    status_label: str = Field(examples=["进行中"])
    stage: Stage
    stage_label: str = Field(examples=["训练中"])
    progress: int = Field(ge=0, le=100)
    step: str | None = Field(examples=["正在训练组件 TEDPolicy：第 18/40 轮（45%）"])
    requested_by: int | None
    requested_by_name: str | None
    started_at: LocalDateTime
    finished_at: LocalDateTime | None
    duration_seconds: float | None
    model_file: str | None
    model_id: str | None
    error_code: str | None
    error: str | None

    @classmethod
    def of(cls, run: TrainingRun, requested_by_name: str | None) -> TrainingRunSummary:
        duration = (
            round((run.finished_at - run.started_at).total_seconds(), 1)
            if run.finished_at
            else None
        )
        return cls(
            id=run.id,
            status=run.status,
            status_label=STATUS_LABELS.get(run.status, run.status),
            stage=run.stage,
            stage_label=STAGE_LABELS.get(run.stage, run.stage),
            progress=run.progress,
            step=run.step,
            requested_by=run.requested_by,
            requested_by_name=requested_by_name,
            started_at=run.started_at,
            finished_at=run.finished_at,
            duration_seconds=duration,
            model_file=run.model_file,
            model_id=run.model_id,
            error_code=run.error_code,
            error=run.error,
        )


class TrainingRunPublic(TrainingRunSummary):
    log_tail: str = Field(description="last lines of `rasa train`'s output, numbers masked")

    @classmethod
    def of(cls, run: TrainingRun, requested_by_name: str | None) -> TrainingRunPublic:
        summary = TrainingRunSummary.of(run, requested_by_name)
        return cls(**dict(summary), log_tail=run.log_tail)
