"""模型训练 / retraining: the serving model, retrain-and-reload runs and their progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from crm_api.deps import SessionDep, SettingsDep, TrainerStaff
from crm_api.errors import ErrorBody
from trainer.training import service as training
from trainer.training.runner import TrainingRunner
from trainer.training.schemas import (
    ModelOverviewPublic,
    TrainingRunPublic,
    TrainingRunSummary,
)

router = APIRouter(prefix="/trainer", tags=["训练 trainer"])


def get_training_runner(request: Request) -> TrainingRunner:
    runner: TrainingRunner = request.app.state.training_runner
    return runner


RunnerDep = Annotated[TrainingRunner, Depends(get_training_runner)]

_ROLE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "未登录"},
    403: {"model": ErrorBody, "description": "仅训练师可用"},
}


@router.get(
    "/model",
    response_model=ModelOverviewPublic,
    summary="正在服务的模型",
    description=(
        "Rasa 服务器正在使用的模型（`GET /status`）、训练时间、文件大小，以及训练数据"
        "在那之后是否有改动。Rasa 服务器连不上时仍返回 200：`serving` 为 null，"
        "`rasa_error` 说明原因。"
    ),
    responses=_ROLE_ERRORS,
)
def serving_model(
    _staff: TrainerStaff, settings: SettingsDep, runner: RunnerDep
) -> ModelOverviewPublic:
    return ModelOverviewPublic.of(training.model_overview(settings=settings, rasa=runner.rasa))


@router.post(
    "/training-runs",
    status_code=202,
    response_model=TrainingRunPublic,
    summary="重新训练并加载模型",
    description=(
        "在后台执行 `rasa train`（未改动的组件沿用缓存），再让 Rasa 服务器加载新模型"
        "（`PUT /model`）并核对 `GET /status`。同一时间只能有一次训练。"
    ),
    responses={
        **_ROLE_ERRORS,
        409: {"model": ErrorBody, "description": "已有训练在进行（training_run_in_progress）"},
        503: {"model": ErrorBody, "description": "本机无法训练（training_unavailable）"},
    },
)
def start_training_run(
    staff: TrainerStaff, session: SessionDep, runner: RunnerDep
) -> TrainingRunPublic:
    run = training.start_run(session=session, runner=runner, staff=staff)
    return TrainingRunPublic.of(run, staff.display_name)


@router.get(
    "/training-runs",
    response_model=list[TrainingRunSummary],
    summary="最近的训练记录",
    responses=_ROLE_ERRORS,
)
def list_training_runs(
    _staff: TrainerStaff,
    session: SessionDep,
    runner: RunnerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[TrainingRunSummary]:
    runner.reconcile(session=session)
    session.commit()
    return [
        TrainingRunSummary.of(run, name)
        for run, name in training.list_runs(session=session, limit=limit)
    ]


@router.get(
    "/training-runs/{run_id}",
    response_model=TrainingRunPublic,
    summary="一次训练的进度和日志",
    responses={**_ROLE_ERRORS, 404: {"model": ErrorBody, "description": "训练记录不存在"}},
)
def get_training_run(
    run_id: int, _staff: TrainerStaff, session: SessionDep, runner: RunnerDep
) -> TrainingRunPublic:
    runner.reconcile(session=session)
    session.commit()
    run, name = training.get_run(session=session, run_id=run_id)
    return TrainingRunPublic.of(run, name)
