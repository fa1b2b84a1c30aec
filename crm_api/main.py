"""The FastAPI application: `create_app(settings)`; `crm_api.main:app` for uvicorn."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from bankkit.masking import PiiMaskingFilter, mask_digit_runs
from crm_api import models  # noqa: F401  (registers every table on Base.metadata)
from crm_api.accounts.router import router as accounts_router
from crm_api.complaints.router import router as complaints_router
from crm_api.complaints.router import staff_router as complaints_staff_router
from crm_api.config import Settings
from crm_api.customers.router import router as customers_router
from crm_api.dashboard.router import router as dashboard_router
from crm_api.database import create_db_engine, create_session_factory
from crm_api.demo.router import router as demo_router
from crm_api.deps import require_service_caller
from crm_api.errors import COMMON_RESPONSES, register_error_handlers
from crm_api.handoff.bot_channel import BotChannel
from crm_api.handoff.realtime import ConsoleHub
from crm_api.handoff.router import router as handoff_router
from crm_api.handoff.router import staff_router as handoff_staff_router
from crm_api.labels.router import router as labels_router
from crm_api.otp.router import router as otp_router
from crm_api.products.router import router as products_router
from crm_api.recommendations.router import router as recommendations_router
from crm_api.risk.router import router as risk_router
from crm_api.satisfaction.router import router as satisfaction_router
from crm_api.staff.router import router as staff_router
from trainer.router import router as trainer_router
from trainer.training.rasa_server import RasaServer
from trainer.training.runner import TrainingRunner

API_PREFIX = "/api/v1"
CONSOLE_DIR = Path(__file__).resolve().parent / "console"

DESCRIPTION = """
智能客服 CRM 接口：客户、账户、交易明细、信用卡账单、挂失、短信验证码。

* 服务接口需要 `Authorization: Bearer <CRM_SERVICE_TOKEN>`。
* 金额为两位小数的字符串（如 `"12345.67"`），卡号、证件号、手机号一律脱敏。
* 错误统一为 `{"code": "...", "detail": "中文 / English"}`。
"""

TAGS = [
    {"name": "客户 customers", "description": "客户查询（手机号、客户号）"},
    {"name": "账户 accounts", "description": "账户、交易明细、信用卡账单、挂失"},
    {"name": "验证码 one-time codes", "description": "短信验证码的发送与校验"},
    {"name": "演示 demo only", "description": "仅演示模式：模拟短信网关、模拟手机银行登录"},
    {"name": "投诉 complaints", "description": "登记投诉、查询进度（服务令牌）"},
    {"name": "满意度 satisfaction", "description": "记录满意度评价（服务令牌）"},
    {"name": "员工 staff", "description": "员工登录/退出（会话 Cookie 或 Bearer）"},
    {"name": "投诉处理 complaint handling", "description": "坐席/主管处理投诉（按机构权限）"},
    {"name": "管理看板 dashboard", "description": "满意度与投诉统计（主管、训练师）"},
    {
        "name": "转人工 handoff (bot)",
        "description": "机器人申请转人工、预约回电、转发客户消息（服务令牌）",
    },
    {"name": "转人工 handoff (console)", "description": "坐席工作台：排队、接入、实时对话、结束"},
    {"name": "训练 trainer", "description": "NLU 收件箱、标注、对话复盘、重新训练（训练师）"},
    {"name": "运维 ops", "description": "健康检查"},
]


# Masks phone/card/ID numbers in uvicorn's access-log lines (query strings), eagerly;
# uvicorn's access formatter unpacks the arguments, so they are masked in place.
ACCESS_LOG_FILTER = PiiMaskingFilter(mask_digit_runs, keep_args=True)


def _configure_logging() -> None:
    """Mask numbers in uvicorn's access log; give crm_api's own lines a handler if none."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, PiiMaskingFilter) for f in access.filters):
        access.addFilter(ACCESS_LOG_FILTER)
    crm_logger = logging.getLogger("crm_api")
    if crm_logger.level == logging.NOTSET:
        crm_logger.setLevel(logging.INFO)
    if not crm_logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s %(message)s"))
        crm_logger.addHandler(handler)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; reads the environment when `settings` is None (fails on bad secrets)."""
    settings = settings or Settings()
    engine = create_db_engine(settings.crm_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _app.state.console_hub.start()
        yield
        _app.state.training_runner.shutdown()
        await _app.state.console_hub.stop()
        reader = getattr(_app.state, "tracker_reader", None)
        if reader is not None:
            reader.dispose()
        engine.dispose()

    app = FastAPI(
        title="智能客服 CRM API",
        summary="银行智能客服的客户关系管理接口 / CRM API of the bank assistant",
        description=DESCRIPTION,
        version="1.0.0",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.console_hub = ConsoleHub(settings.redis_url)
    app.state.bot_channel = BotChannel(settings.rasa_url, settings.rasa_token.get_secret_value())
    app.state.training_runner = TrainingRunner(
        settings=settings,
        session_factory=app.state.session_factory,
        rasa=RasaServer(settings.rasa_url, settings.rasa_token.get_secret_value()),
    )
    register_error_handlers(app)
    _configure_logging()

    @app.get("/health", tags=["运维 ops"], summary="健康检查")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    service_api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(require_service_caller)],
        responses=COMMON_RESPONSES,
    )
    service_api.include_router(customers_router)
    service_api.include_router(accounts_router)
    service_api.include_router(otp_router)
    service_api.include_router(products_router)
    service_api.include_router(risk_router)
    service_api.include_router(recommendations_router)
    service_api.include_router(complaints_router)
    service_api.include_router(satisfaction_router)
    service_api.include_router(handoff_router)
    app.include_router(service_api)
    # Staff endpoints authenticate the person (session cookie or bearer), not the service.
    staff_api = APIRouter(prefix=API_PREFIX, responses=COMMON_RESPONSES)
    staff_api.include_router(staff_router)
    staff_api.include_router(labels_router)
    staff_api.include_router(complaints_staff_router)
    staff_api.include_router(dashboard_router)
    staff_api.include_router(handoff_staff_router)
    staff_api.include_router(trainer_router)
    app.include_router(staff_api)
    app.mount("/console", StaticFiles(directory=CONSOLE_DIR, html=True), name="console")
    if settings.demo_enabled:
        app.include_router(demo_router, prefix=API_PREFIX)
    logging.getLogger(__name__).info(
        "crm_api.started env=%s demo=%s", settings.crm_env, settings.demo_enabled
    )
    return app


_app: FastAPI | None = None


def __getattr__(name: str) -> Any:
    # `crm_api.main:app` is built on first access, so importing `create_app` in tests
    # does not require the production environment variables.
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
