"""The only place that talks HTTP to crm_api (contract: docs/crm-api-contract.md).

Async httpx with timeouts; idempotent calls are retried on connection errors and 5xx.
Errors become two exception types the flows handle: `CrmUnavailable` (the CRM cannot be
reached or failed) and `CrmError` (the CRM answered with a 4xx and a stable `code`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

import httpx

from actions.settings import get_settings

logger = logging.getLogger(__name__)

RETRIES = 2
RETRY_BACKOFF_SECONDS = 0.2


class CrmUnavailable(Exception):
    """crm_api could not be reached, timed out or answered 5xx."""


class CrmError(Exception):
    """crm_api refused the request with a 4xx and a machine-readable code."""

    def __init__(self, status: int, code: str, payload: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.payload = payload


class CrmClient:
    """Thin typed wrapper over crm_api's service endpoints."""

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        settings = get_settings()
        self._base_url = (base_url or settings.crm_url).rstrip("/") + "/api/v1"
        self._token = token if token is not None else settings.crm_service_token
        self._timeout = timeout if timeout is not None else settings.crm_timeout_seconds
        self._transport = transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        idempotent: bool,
        headers: dict[str, str] | None = None,
    ) -> Any:
        attempts = 1 + (RETRIES if idempotent else 0)
        last_error: Exception | None = None
        async with httpx.AsyncClient(
            base_url=self._base_url,
            timeout=self._timeout,
            headers={"Authorization": f"Bearer {self._token}"},
            transport=self._transport,
        ) as client:
            for attempt in range(attempts):
                try:
                    response = await client.request(
                        method, path, params=params, json=json, headers=headers
                    )
                except httpx.HTTPError as exc:
                    last_error = exc
                    logger.warning(
                        "crm %s %s failed (attempt %d): %s",
                        method,
                        _path_for_log(path),
                        attempt + 1,
                        type(exc).__name__,
                    )
                else:
                    if response.status_code >= 500:
                        last_error = CrmUnavailable(f"status {response.status_code}")
                        logger.error(
                            "crm %s %s answered %d",
                            method,
                            _path_for_log(path),
                            response.status_code,
                        )
                    elif response.status_code >= 400:
                        payload = _json_or_empty(response)
                        raise CrmError(
                            response.status_code, str(payload.get("code", "error")), payload
                        )
                    else:
                        return response.json()
                if attempt + 1 < attempts:
                    await asyncio.sleep(RETRY_BACKOFF_SECONDS * (attempt + 1))
        raise CrmUnavailable(str(last_error))

    async def get_customer(self, customer_id: str) -> dict[str, Any]:
        return await self._request("GET", f"/customers/{customer_id}", idempotent=True)

    async def list_accounts(
        self, customer_id: str, account_type: str | None = None
    ) -> list[dict[str, Any]]:
        params = {"account_type": account_type} if account_type else None
        return await self._request(
            "GET", f"/customers/{customer_id}/accounts", params=params, idempotent=True
        )

    async def list_transactions(
        self, customer_id: str, account_id: int, *, start: date, end: date, limit: int = 20
    ) -> dict[str, Any]:
        return await self._request(
            "GET",
            f"/customers/{customer_id}/accounts/{account_id}/transactions",
            params={"start": start.isoformat(), "end": end.isoformat(), "limit": limit},
            idempotent=True,
        )

    async def credit_card_statement(self, customer_id: str, account_id: int) -> dict[str, Any]:
        return await self._request(
            "GET", f"/customers/{customer_id}/accounts/{account_id}/statement", idempotent=True
        )

    async def report_card_loss(
        self, customer_id: str, account_id: int, *, reason: str, channel: str
    ) -> dict[str, Any]:
        # The CRM makes card-loss reports idempotent, so a retry cannot freeze twice.
        return await self._request(
            "POST",
            f"/customers/{customer_id}/accounts/{account_id}/report-loss",
            json={"reason": reason, "channel": channel},
            idempotent=True,
        )

    async def request_otp(self, phone: str) -> dict[str, Any]:
        # Not retried: a retry could send a second SMS and hit the rate limit.
        return await self._request("POST", "/otp/request", json={"phone": phone}, idempotent=False)

    async def verify_otp(self, phone: str, code: str) -> dict[str, Any]:
        return await self._request(
            "POST", "/otp/verify", json={"phone": phone, "code": code}, idempotent=False
        )

    # ---- complaints and satisfaction -------------------------------------------

    async def file_complaint(
        self, complaint: dict[str, Any], *, idempotency_key: str
    ) -> dict[str, Any]:
        # Safe to retry: the CRM returns the first complaint for a repeated key.
        return await self._request(
            "POST",
            "/complaints",
            json=complaint,
            idempotent=True,
            headers={"Idempotency-Key": idempotency_key},
        )

    async def complaint_status(
        self, number: str, *, customer_id: str | None = None, phone: str | None = None
    ) -> dict[str, Any]:
        params = {k: v for k, v in (("customer_id", customer_id), ("phone", phone)) if v}
        return await self._request("GET", f"/complaints/{number}", params=params, idempotent=True)

    async def customer_complaints(
        self, customer_id: str, *, open_only: bool = True
    ) -> list[dict[str, Any]]:
        return await self._request(
            "GET",
            f"/customers/{customer_id}/complaints",
            params={"open_only": str(open_only).lower()},
            idempotent=True,
        )

    async def record_satisfaction(self, rating: dict[str, Any]) -> dict[str, Any]:
        # Idempotent by `reference`: a retry completes the same row.
        return await self._request("POST", "/satisfaction", json=rating, idempotent=True)

    # ---- products, risk assessment, recommendations, leads

    async def list_products(
        self, product_type: str | None = None, query: str | None = None
    ) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("product_type", product_type), ("q", query)) if v}
        return await self._request("GET", "/products", params=params or None, idempotent=True)

    async def get_product(self, code: str) -> dict[str, Any]:
        return await self._request("GET", f"/products/{code}", idempotent=True)

    async def list_rates(self, product_type: str | None = None) -> list[dict[str, Any]]:
        params = {"product_type": product_type} if product_type else None
        return await self._request("GET", "/products/rates", params=params, idempotent=True)

    async def risk_questionnaire(self) -> dict[str, Any]:
        return await self._request("GET", "/risk/questionnaire", idempotent=True)

    async def current_risk_assessment(self, customer_id: str) -> dict[str, Any] | None:
        """The valid assessment, or None when there is none (or it has expired)."""
        try:
            return await self._request(
                "GET", f"/customers/{customer_id}/risk-assessments/current", idempotent=True
            )
        except CrmError as exc:
            if exc.code == "risk_assessment_required":
                return None
            raise

    async def submit_risk_assessment(
        self, customer_id: str, answers: dict[str, str], *, channel: str
    ) -> dict[str, Any]:
        return await self._request(
            "POST",
            f"/customers/{customer_id}/risk-assessments",
            json={"answers": answers, "channel": channel},
            idempotent=False,
        )

    async def recommend_products(
        self,
        customer_id: str,
        *,
        product_type: str | None,
        amount: Any,
        horizon_months: Any,
        channel: str,
        limit: int = 3,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"limit": limit, "channel": channel}
        if product_type:
            body["product_type"] = product_type
        if amount:
            body["amount"] = str(amount)
        if horizon_months is not None:
            body["horizon_months"] = int(horizon_months)
        # not retried: each call is logged as a new recommendation
        return await self._request(
            "POST", f"/customers/{customer_id}/recommendations", json=body, idempotent=False
        )

    async def record_interest(
        self, customer_id: str, recommendation_id: int, interest: str
    ) -> dict[str, Any]:
        return await self._request(
            "POST",
            f"/customers/{customer_id}/recommendations/{recommendation_id}/interest",
            json={"interest": interest},
            idempotent=True,
        )

    async def create_lead(
        self,
        customer_id: str,
        *,
        product_code: str,
        channel: str,
        recommendation_id: int | None = None,
        amount: Any = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"product_code": product_code, "channel": channel}
        if recommendation_id:
            body["recommendation_id"] = int(recommendation_id)
        if amount:
            body["amount"] = str(amount)
        # the CRM keeps one open lead per customer and product, so a retry is harmless
        return await self._request(
            "POST", f"/customers/{customer_id}/leads", json=body, idempotent=True
        )

    # ---- human handoff -------------------------------------------------------

    async def request_handoff(self, request: dict[str, Any]) -> dict[str, Any]:
        # The CRM keeps one open handoff per conversation, so a retry cannot queue twice.
        return await self._request("POST", "/handoff/requests", json=request, idempotent=True)

    async def request_callback(self, callback: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", "/handoff/callbacks", json=callback, idempotent=False)


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _path_for_log(path: str) -> str:
    # Paths carry only internal ids, never phone or card numbers.
    return path
