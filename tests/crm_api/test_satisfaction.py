"""Satisfaction ratings from the bot: idempotent by reference, intents, NPS."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse
from tests.crm_api.conftest import T0, assert_error
from tests.crm_api.factories import CustomerFactory

URL = "/api/v1/satisfaction"


def _body(**overrides: Any) -> dict[str, Any]:
    body = {
        "reference": "conv-9:12",
        "channel": "app",
        "score": 2,
        "conversation_id": "conv-9",
        "intents": ["check_balance", "complain", "complain"],
        "human_involved": False,
    }
    body.update(overrides)
    return body


def test_a_rating_is_recorded_with_its_conversation(client: TestClient, session: Session) -> None:
    response = client.post(URL, json=_body())
    assert response.status_code == 201
    assert response.json()["created"] is True
    row = session.scalar(select(SatisfactionResponse))
    assert row is not None
    assert (row.kind, row.status, row.score, row.channel) == ("conversation", "answered", 2, "app")
    assert row.survey_day == T0.date()  # 12:00 in Beijing
    assert sorted(i.intent for i in row.intents) == ["check_balance", "complain"]
    assert {(i.score, i.channel) for i in row.intents} == {(2, "app")}


def test_the_reason_after_a_low_score_completes_the_same_row(
    client: TestClient, session: Session
) -> None:
    client.post(URL, json=_body())
    again = client.post(URL, json=_body(score=None, comment="转人工太难了"))
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert (again.json()["score"], again.json()["comment"]) == (2, "转人工太难了")
    # a plain retry changes nothing
    client.post(URL, json=_body(score=5))
    assert session.scalar(select(func.count(SatisfactionResponse.id))) == 1
    assert session.scalar(select(SatisfactionResponse.score)) == 2
    assert session.scalar(select(func.count()).select_from(SatisfactionIntent)) == 2


def test_nps_alone_is_accepted(client: TestClient) -> None:
    body = client.post(URL, json=_body(reference="nps-1", score=None, nps_score=9)).json()
    assert (body["score"], body["nps_score"]) == (None, 9)


@pytest.mark.parametrize(
    "overrides",
    [
        {"score": 6},  # CSAT is 1–5
        {"score": 0},
        {"nps_score": 11},  # NPS is 0–10
        {"score": None},  # nothing to record
        {"reference": ""},  # the idempotency reference is required
    ],
)
def test_invalid_ratings_are_422(client: TestClient, overrides: dict[str, Any]) -> None:
    assert_error(client.post(URL, json=_body(**overrides)), 422, "validation_error")


def test_links_to_customer_and_complaint_are_checked(client: TestClient) -> None:
    assert_error(client.post(URL, json=_body(customer_id=424242)), 404, "customer_not_found")
    assert_error(
        client.post(URL, json=_body(complaint_number="TS209901010001")), 404, "complaint_not_found"
    )
    customer = CustomerFactory()
    filed = client.post(
        "/api/v1/complaints",
        json={
            "category": "其他",
            "description": "营销短信太多",
            "contact_method": "短信",
            "customer_id": customer.id,
        },
    ).json()
    linked = client.post(
        URL, json=_body(reference="r2", customer_id=customer.id, complaint_number=filed["number"])
    )
    assert linked.status_code == 201


def test_recording_needs_the_service_token(anonymous_client: TestClient) -> None:
    assert_error(anonymous_client.post(URL, json=_body()), 401, "unauthorized")
