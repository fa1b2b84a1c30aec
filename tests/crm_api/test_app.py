"""Health, authentication, error shape, OpenAPI."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from crm_api.main import ACCESS_LOG_FILTER
from tests.crm_api.conftest import SERVICE_TOKEN, assert_error


def test_health_needs_no_token(anonymous_client: TestClient) -> None:
    response = anonymous_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Authorization header at all
        {"Authorization": "Bearer wrong-token"},  # wrong token
        {"Authorization": f"Bearer {SERVICE_TOKEN}x"},  # right token with a suffix
        {"Authorization": f"Basic {SERVICE_TOKEN}"},  # right secret, wrong scheme
        {"Authorization": "Bearer "},  # empty bearer token
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/customers/by-phone?phone=13800138000"),  # a read
        ("GET", "/api/v1/customers/1/accounts"),  # a nested read
        ("POST", "/api/v1/otp/request"),  # a write (rejected before the body is read)
    ],
)
def test_service_routes_reject_missing_or_wrong_token(
    anonymous_client: TestClient, headers: dict[str, str], method: str, path: str
) -> None:
    response = anonymous_client.request(method, path, headers=headers, json={"phone": "x"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_route_is_not_found_in_bank_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_method_not_allowed(client: TestClient) -> None:
    assert_error(client.delete("/api/v1/customers/1"), 405, "method_not_allowed")


def test_validation_errors_use_validation_error_code(client: TestClient) -> None:
    body = assert_error(client.get("/api/v1/customers/not-a-number"), 422, "validation_error")
    assert body["errors"][0]["loc"] == ["path", "customer_id"]


def test_validation_error_does_not_echo_input(client: TestClient) -> None:
    response = client.post("/api/v1/otp/verify", json={"phone": "13800138000", "code": "1" * 40})
    assert_error(response, 422, "validation_error")
    assert "13800138000" not in response.text


def test_openapi_has_chinese_title_and_all_contract_paths(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "智能客服 CRM API"
    assert {
        "/health",
        "/api/v1/customers/by-phone",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/accounts",
        "/api/v1/customers/{customer_id}/accounts/{account_id}/transactions",
        "/api/v1/customers/{customer_id}/accounts/{account_id}/statement",
        "/api/v1/customers/{customer_id}/accounts/{account_id}/report-loss",
        "/api/v1/otp/request",
        "/api/v1/otp/verify",
    } <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


def test_access_log_filter_masks_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/customers/by-phone?phone=13800138000", "1.1", 200),
        None,
    )
    assert ACCESS_LOG_FILTER.filter(record)
    assert "13800138000" not in record.getMessage()
    assert "138****8000" in record.getMessage()
