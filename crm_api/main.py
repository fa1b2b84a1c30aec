"""The FastAPI application: `create_app(settings)`; `crm_api.main:app` for uvicorn."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from crm_api import models  # noqa: F401  (registers every table on Base.metadata)
from crm_api.accounts.router import router as accounts_router
from crm_api.config import Settings
from crm_api.customers.router import router as customers_router
from crm_api.database import create_db_engine, create_session_factory
from crm_api.demo.router import router as demo_router
from crm_api.deps import require_service_caller
from crm_api.errors import COMMON_RESPONSES, register_error_handlers
from crm_api.identifiers import mask_digit_runs
from crm_api.otp.router import router as otp_router

API_PREFIX = "/api/v1"

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
    {"name": "运维 ops", "description": "健康检查"},
]


class MaskDigitsFilter(logging.Filter):
    """Masks phone/card/ID numbers in uvicorn's access-log lines (query strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_digit_runs(a) if isinstance(a, str) else a for a in record.args
            )
        return True


def _configure_logging() -> None:
    """Mask numbers in uvicorn's access log; give crm_api's own lines a handler if none."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskDigitsFilter) for f in access.filters):
        access.addFilter(MaskDigitsFilter())
    crm_logger = logging.getLogger("crm_api")
    if crm_logger.level == logging.NOTSET:
        crm_logger.setLevel(logging.INFO)
    if not crm_logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s %(message)s"))
        crm_logger.addHandler(handler)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; reads the environment when `settings` is None (fails on bad secrets)."""
    settings = settings or Settings()  # type: ignore[call-arg]  # secrets come from the env
    engine = create_db_engine(settings.crm_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    app.include_router(service_api)
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
