"""Retraining from the staff console: which model serves and whether it is stale; the runs.

crm_api never imports Rasa: they meet over HTTP with `RASA_TOKEN` (:mod:`.rasa_server`)
and over the files of `TRAINER_REPO_DIR`. A run is executed by :mod:`.runner`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_api.clock import UTC
from crm_api.config import Settings
from crm_api.staff.models import StaffUser
from trainer.errors import RasaServerError, TrainingRunInProgress, TrainingRunNotFound
from trainer.project import TRAINING_INPUTS
from trainer.training.archive import MODEL_ARCHIVE, ArchiveInfo, archive_info
from trainer.training.models import TrainingRun
from trainer.training.rasa_server import RasaServer
from trainer.training.runner import TrainingRunner

logger = logging.getLogger(__name__)


def newest_input_change(repo_dir: Path) -> datetime | None:
    """The latest modification time of config.yml and anything under domain/ and data/."""
    newest = 0.0
    for name in TRAINING_INPUTS:
        root = repo_dir / name
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            for folder, _dirs, files in os.walk(root):
                for file in files:
                    try:
                        newest = max(newest, os.stat(os.path.join(folder, file)).st_mtime)
                    except OSError:
                        continue
    return datetime.fromtimestamp(newest, tz=UTC) if newest else None


@dataclass(frozen=True)
class ModelOverview:
    serving_file: str | None
    serving_model_id: str | None
    active_training_jobs: int | None
    rasa_error: str | None
    archive: ArchiveInfo | None
    archive_is_serving: bool | None
    inputs_changed_at: datetime | None
    data_changed: bool | None
    advice: list[str]


def model_overview(*, settings: Settings, rasa: RasaServer) -> ModelOverview:
    """Which model the Rasa server serves, when it was trained, and whether it is stale."""
    models_dir = settings.trainer_repo_dir / "models"
    serving: dict[str, Any] | None = None
    rasa_error: str | None = None
    try:
        serving = rasa.status()
    except RasaServerError as exc:
        rasa_error = exc.reason
    serving_file = Path(str(serving.get("model_file") or "")).name if serving else None
    # Rasa reports only the file name; the archive of that name under models/ is it when
    # the model ids agree (the Rasa server runs from the same work tree).
    archive = archive_info(models_dir / (serving_file or MODEL_ARCHIVE))
    archive_is_serving: bool | None = None
    if serving and archive and archive.model_id:
        archive_is_serving = archive.model_id == serving.get("model_id")
    inputs_changed_at = newest_input_change(settings.trainer_repo_dir)
    data_changed: bool | None = None
    if archive and inputs_changed_at:
        data_changed = inputs_changed_at > archive.trained_at
    advice: list[str] = []
    if rasa_error:
        advice.append(f"无法获取正在服务的模型：{rasa_error}")
    if archive is None:
        advice.append("models 目录下没有模型文件，请先训练")
    elif archive_is_serving is False:
        advice.append(
            "磁盘上的模型文件不是 Rasa 正在使用的模型（可能训练后未加载），建议重新训练并加载"
        )
    if data_changed:
        advice.append("训练数据在模型训练之后有改动，建议重新训练")
    return ModelOverview(
        serving_file=serving_file,
        serving_model_id=str(serving.get("model_id")) if serving else None,
        active_training_jobs=int(serving.get("num_active_training_jobs") or 0) if serving else None,
        rasa_error=rasa_error,
        archive=archive,
        archive_is_serving=archive_is_serving,
        inputs_changed_at=inputs_changed_at,
        data_changed=data_changed,
        advice=advice,
    )


def list_runs(*, session: Session, limit: int = 20) -> list[tuple[TrainingRun, str | None]]:
    """The latest runs, newest first, with the display name of who started each."""
    rows = session.execute(
        select(TrainingRun, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == TrainingRun.requested_by)
        .order_by(TrainingRun.id.desc())
        .limit(limit)
    ).all()
    return [(run, name) for run, name in rows]


def get_run(*, session: Session, run_id: int) -> tuple[TrainingRun, str | None]:
    row = session.execute(
        select(TrainingRun, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == TrainingRun.requested_by)
        .where(TrainingRun.id == run_id)
    ).first()
    if row is None:
        raise TrainingRunNotFound()
    return row[0], row[1]


def start_run(*, session: Session, runner: TrainingRunner, staff: StaffUser) -> TrainingRun:
    """Records a new run and starts it in the background.

    Commits before the run's thread starts: the thread, and every other crm_api instance,
    read the run from the database. Raises TrainingRunInProgress if a run is running.
    """
    run = runner.create_run(session=session, staff=staff)
    try:
        session.commit()
    except IntegrityError:
        # another crm_api instance started one between our check and our commit
        session.rollback()
        raise TrainingRunInProgress() from None
    logger.info(
        "trainer.training_run.started run=%d staff_id=%d username=%s",
        run.id,
        staff.id,
        staff.username,
    )
    runner.launch(run.id)
    return run
