"""The Rasa server's HTTP API as the retraining uses it: `GET /status` and `PUT /model`."""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx

from trainer.errors import RasaServerError
from trainer.training.progress import clean_line

logger = logging.getLogger(__name__)

#: loading a model in the Rasa server reads and initialises every component
RELOAD_TIMEOUT_SECONDS = 300.0


class RasaServer:
    """`GET /status` and `PUT /model` of a Rasa server started with `--enable-api
    --auth-token`; Rasa reads the token from the `token` query parameter."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = transport

    def _request(
        self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any
    ) -> httpx.Response:
        if not self.token:
            raise RasaServerError("未配置 RASA_TOKEN，无法访问 Rasa 服务器")
        try:
            with httpx.Client(
                base_url=self.base_url,
                timeout=timeout or self.timeout,
                transport=self.transport,
            ) as client:
                response = client.request(method, path, params={"token": self.token}, **kwargs)
        except httpx.TimeoutException:
            logger.error("trainer.rasa %s %s timed out", method, path)
            raise RasaServerError("Rasa 服务器响应超时") from None
        except httpx.HTTPError as exc:
            # never log the URL: it carries the token
            logger.error("trainer.rasa %s %s failed: %s", method, path, type(exc).__name__)
            raise RasaServerError("无法连接 Rasa 服务器，请确认它已启动") from None
        if response.status_code in (401, 403):
            logger.error("trainer.rasa %s %s answered %d", method, path, response.status_code)
            raise RasaServerError("Rasa 服务器拒绝访问：RASA_TOKEN 不正确")
        if response.status_code == 409 and path == "/status":
            raise RasaServerError("Rasa 服务器已启动，但还没有加载任何模型")
        if response.status_code >= 400:
            message = ""
            with suppress(ValueError, AttributeError):
                message = str(response.json().get("message") or "")
            logger.error("trainer.rasa %s %s answered %d", method, path, response.status_code)
            suffix = f"：{clean_line(message)[:200]}" if message else ""
            raise RasaServerError(f"Rasa 服务器返回错误 {response.status_code}{suffix}")
        return response

    def status(self) -> dict[str, Any]:
        """`model_file` (the archive's file name), `model_id`, `num_active_training_jobs`."""
        body = self._request("GET", "/status").json()
        return body if isinstance(body, dict) else {}

    def load_model(self, model_file: Path) -> None:
        """Replaces the serving model; Rasa answers when the new one is loaded."""
        self._request(
            "PUT",
            "/model",
            json={"model_file": str(model_file)},
            timeout=RELOAD_TIMEOUT_SECONDS,
        )
