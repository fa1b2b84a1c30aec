"""Customer look-ups by phone and id."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.crm_api.conftest import assert_error
from tests.crm_api.factories import CustomerFactory


def test_by_phone_returns_masked_customer(client: TestClient) -> None:
    customer = CustomerFactory(
        name="张伟", phone="13800138000", id_number="110105198803151232", tier="金卡", gender="男"
    )
    response = client.get("/api/v1/customers/by-phone", params={"phone": "13800138000"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": customer.id,
        "name": "张伟",
        "gender": "男",
        "masked_phone": "138****8000",
        "masked_id_number": "110***********1232",
        "city": "北京",
        "occupation": "教师",
        "income_band": "10-20万",
        "tier": "金卡",
    }
    assert "13800138000" not in response.text
    assert customer.id_number not in response.text


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",  # plain
        "+86 138 0013 8000",  # international prefix with spaces
        "138-0013-8000",  # dashes
        "8613800138000",  # 86 prefix without +
    ],
)
def test_by_phone_accepts_common_ways_of_typing(client: TestClient, typed: str) -> None:
    customer = CustomerFactory(phone="13800138000")
    response = client.get("/api/v1/customers/by-phone", params={"phone": typed})
    assert response.json()["id"] == customer.id


def test_unknown_phone_is_customer_not_found(client: TestClient) -> None:
    response = client.get("/api/v1/customers/by-phone", params={"phone": "13912345678"})
    assert_error(response, 404, "customer_not_found")


@pytest.mark.parametrize(
    "phone",
    [
        "12345",  # too short
        "23800138000",  # does not start with 1
        "12800138000",  # second digit must be 3-9
        "1380013800a",  # a letter
        "138001380001",  # 12 digits
        "",  # empty
    ],
)
def test_malformed_phone_is_invalid_phone(client: TestClient, phone: str) -> None:
    response = client.get("/api/v1/customers/by-phone", params={"phone": phone})
    assert_error(response, 422, "invalid_phone")


def test_get_customer_by_id(client: TestClient) -> None:
    customer = CustomerFactory(gender="女", name="李娜")
    response = client.get(f"/api/v1/customers/{customer.id}")
    assert response.status_code == 200
    assert response.json()["name"] == "李娜"
    assert response.json()["gender"] == "女"


def test_unknown_customer_id_is_customer_not_found(client: TestClient) -> None:
    assert_error(client.get("/api/v1/customers/999999"), 404, "customer_not_found")
