"""The only place that talks HTTP to crm_api (contract: docs/crm-api-contract.md).

Async httpx with timeouts; idempotent calls are retried on connection errors and 5xx.
Errors become two exception types the flows handle: `CrmUnavailable` (the CRM cannot be
reached or failed) and `CrmError` (the CRM answered with a 4xx and a stable `code`).
Bodies and answers are typed by actions/crm_types.py; the answers are not validated here,
the contract test holds those types to crm_api's OpenAPI schema.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, cast

import httpx

from actions.crm_types import (
    AccountPublic,
    AssessmentCreate,
    AssessmentPublic,
    CallbackCreate,
    CallbackPublic,
    CardLossCreate,
    CardLossReason,
    CardLossResult,
    ComplaintCreate,
    ComplaintFiled,
    ComplaintStatusPublic,
    CreditCardStatement,
    CustomerPublic,
    HandoffCreate,
    HandoffTicket,
    Interest,
    InterestPublic,
    InterestUpdate,
    LeadCreate,
    LeadPublic,
    OtpRequestCreate,
    OtpRequestPublic,
    OtpVerifyCreate,
    OtpVerifyPublic,
    ProductPublic,
    QuestionnairePublic,
    RatePublic,
    RecommendationCreate,
    RecommendationList,
    SatisfactionCreate,
    SatisfactionPublic,
    TransactionPage,
)
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
        params: Mapping[str, str | int] | None = None,
        json: Mapping[str, object] | None = None,
        idempotent: bool,
        headers: dict[str, str] | None = None,
    ) -> object:
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
                        body: object = response.json()
                        return body
                if attempt + 1 < attempts:
                    await asyncio.sleep(RETRY_BACKOFF_SECONDS * (attempt + 1))
        raise CrmUnavailable(str(last_error))

    async def get_customer(self, customer_id: str) -> CustomerPublic:
        answer = await self._request("GET", f"/customers/{customer_id}", idempotent=True)
        return cast(CustomerPublic, answer)

    async def list_accounts(
        self, customer_id: str, account_type: str | None = None
    ) -> list[AccountPublic]:
        params = {"account_type": account_type} if account_type else None
        answer = await self._request(
            "GET", f"/customers/{customer_id}/accounts", params=params, idempotent=True
        )
        return cast(list[AccountPublic], answer)

    async def list_transactions(
        self, customer_id: str, account_id: int, *, start: date, end: date, limit: int = 20
    ) -> TransactionPage:
        answer = await self._request(
            "GET",
            f"/customers/{customer_id}/accounts/{account_id}/transactions",
            params={"start": start.isoformat(), "end": end.isoformat(), "limit": limit},
            idempotent=True,
        )
        return cast(TransactionPage, answer)

    async def credit_card_statement(self, customer_id: str, account_id: int) -> CreditCardStatement:
        answer = await self._request(
            "GET", f"/customers/{customer_id}/accounts/{account_id}/statement", idempotent=True
        )
        return cast(CreditCardStatement, answer)

    async def report_card_loss(
        self, customer_id: str, account_id: int, *, reason: CardLossReason, channel: str
    ) -> CardLossResult:
        body: CardLossCreate = {"reason": reason, "channel": channel}
        # The CRM makes card-loss reports idempotent, so a retry cannot freeze twice.
        answer = await self._request(
            "POST",
            f"/customers/{customer_id}/accounts/{account_id}/report-loss",
            json=body,
            idempotent=True,
        )
        return cast(CardLossResult, answer)

    async def request_otp(self, phone: str) -> OtpRequestPublic:
        body: OtpRequestCreate = {"phone": phone}
        # Not retried: a retry could send a second SMS and hit the rate limit.
        answer = await self._request("POST", "/otp/request", json=body, idempotent=False)
        return cast(OtpRequestPublic, answer)

    async def verify_otp(self, phone: str, code: str) -> OtpVerifyPublic:
        body: OtpVerifyCreate = {"phone": phone, "code": code}
        answer = await self._request("POST", "/otp/verify", json=body, idempotent=False)
        return cast(OtpVerifyPublic, answer)

    # ---- complaints and satisfaction -------------------------------------------

    async def file_complaint(
        self, complaint: ComplaintCreate, *, idempotency_key: str
    ) -> ComplaintFiled:
        # Safe to retry: the CRM returns the first complaint for a repeated key.
        answer = await self._request(
            "POST",
            "/complaints",
            json=complaint,
            idempotent=True,
            headers={"Idempotency-Key": idempotency_key},
        )
        return cast(ComplaintFiled, answer)

    async def complaint_status(
        self, number: str, *, customer_id: str | None = None, phone: str | None = None
    ) -> ComplaintStatusPublic:
        params = {k: v for k, v in (("customer_id", customer_id), ("phone", phone)) if v}
        answer = await self._request("GET", f"/complaints/{number}", params=params, idempotent=True)
        return cast(ComplaintStatusPublic, answer)

    async def customer_complaints(
        self, customer_id: str, *, open_only: bool = True
    ) -> list[ComplaintStatusPublic]:
        answer = await self._request(
            "GET",
            f"/customers/{customer_id}/complaints",
            params={"open_only": str(open_only).lower()},
            idempotent=True,
        )
        return cast(list[ComplaintStatusPublic], answer)

    async def record_satisfaction(self, rating: SatisfactionCreate) -> SatisfactionPublic:
        # Idempotent by `reference`: a retry completes the same row.
        answer = await self._request("POST", "/satisfaction", json=rating, idempotent=True)
        return cast(SatisfactionPublic, answer)

    # ---- products, risk assessment, recommendations, leads

    async def list_products(
        self, product_type: str | None = None, query: str | None = None
    ) -> list[ProductPublic]:
        params = {k: v for k, v in (("product_type", product_type), ("q", query)) if v}
        answer = await self._request("GET", "/products", params=params or None, idempotent=True)
        return cast(list[ProductPublic], answer)

    async def get_product(self, code: str) -> ProductPublic:
        answer = await self._request("GET", f"/products/{code}", idempotent=True)
        return cast(ProductPublic, answer)

    async def list_rates(self, product_type: str | None = None) -> list[RatePublic]:
        params = {"product_type": product_type} if product_type else None
        answer = await self._request("GET", "/products/rates", params=params, idempotent=True)
        return cast(list[RatePublic], answer)

    async def risk_questionnaire(self) -> QuestionnairePublic:
        answer = await self._request("GET", "/risk/questionnaire", idempotent=True)
        return cast(QuestionnairePublic, answer)

    async def current_risk_assessment(self, customer_id: str) -> AssessmentPublic | None:
        """The valid assessment, or None when there is none (or it has expired)."""
        try:
            answer = await self._request(
                "GET", f"/customers/{customer_id}/risk-assessments/current", idempotent=True
            )
        except CrmError as exc:
            if exc.code == "risk_assessment_required":
                return None
            raise
        return cast(AssessmentPublic, answer)

    async def submit_risk_assessment(
        self, customer_id: str, answers: dict[str, str], *, channel: str
    ) -> AssessmentPublic:
        body: AssessmentCreate = {"answers": answers, "channel": channel}
        answer = await self._request(
            "POST",
            f"/customers/{customer_id}/risk-assessments",
            json=body,
            idempotent=False,
        )
        return cast(AssessmentPublic, answer)

    async def recommend_products(
        self,
        customer_id: str,
        *,
        product_type: str | None,
        amount: Decimal | None,
        horizon_months: int | None,
        channel: str,
        limit: int = 3,
    ) -> RecommendationList:
        body: RecommendationCreate = {"limit": limit, "channel": channel}
        if product_type:
            body["product_type"] = product_type
        if amount:
            body["amount"] = str(amount)
        if horizon_months is not None:
            body["horizon_months"] = int(horizon_months)
        # not retried: each call is logged as a new recommendation
        answer = await self._request(
            "POST", f"/customers/{customer_id}/recommendations", json=body, idempotent=False
        )
        return cast(RecommendationList, answer)

    async def record_interest(
        self, customer_id: str, recommendation_id: int, interest: Interest
    ) -> InterestPublic:
        body: InterestUpdate = {"interest": interest}
        answer = await self._request(
            "POST",
            f"/customers/{customer_id}/recommendations/{recommendation_id}/interest",
            json=body,
            idempotent=True,
        )
        return cast(InterestPublic, answer)

    async def create_lead(
        self,
        customer_id: str,
        *,
        product_code: str,
        channel: str,
        recommendation_id: int | None = None,
        amount: Decimal | None = None,
    ) -> LeadPublic:
        body: LeadCreate = {"product_code": product_code, "channel": channel}
        if recommendation_id:
            body["recommendation_id"] = int(recommendation_id)
        if amount:
            body["amount"] = str(amount)
        # the CRM keeps one open lead per customer and product, so a retry is harmless
        answer = await self._request(
            "POST", f"/customers/{customer_id}/leads", json=body, idempotent=True
        )
        return cast(LeadPublic, answer)

    # ---- human handoff -------------------------------------------------------

    async def request_handoff(self, request: HandoffCreate) -> HandoffTicket:
        # The CRM keeps one open handoff per conversation, so a retry cannot queue twice.
        answer = await self._request("POST", "/handoff/requests", json=request, idempotent=True)
        return cast(HandoffTicket, answer)

    async def request_callback(self, callback: CallbackCreate) -> CallbackPublic:
        answer = await self._request("POST", "/handoff/callbacks", json=callback, idempotent=False)
        return cast(CallbackPublic, answer)


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _path_for_log(path: str) -> str:
    # Paths carry only internal ids, never phone or card numbers.
    return path
