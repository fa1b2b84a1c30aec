"""The risk questionnaire: scoring, validity of a year, and the API."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from crm_api.risk.questionnaire import (
    QUESTIONS,
    QUESTIONS_BY_ID,
    InvalidAnswers,
    score_answers,
)
from tests.crm_api.conftest import FakeClock, assert_error
from tests.crm_api.factories import CustomerFactory

ZHANG_WEI = {
    "q1": "B",
    "q2": "C",
    "q3": "C",
    "q4": "C",
    "q5": "C",
    "q6": "B",
    "q7": "C",
    "q8": "C",
    "q9": "C",
    "q10": "B",
}


def _all(key_of: str) -> dict[str, str]:
    """Every question answered with its first ('first') or last ('last') option."""
    return {q.id: (q.options[0] if key_of == "first" else q.options[-1]).key for q in QUESTIONS}


def test_questionnaire_has_ten_questions_with_options() -> None:
    assert len(QUESTIONS) == 10
    assert all(2 <= len(q.options) <= 5 for q in QUESTIONS)


@pytest.mark.parametrize(
    ("answers", "expected_score", "expected_level"),
    [
        (ZHANG_WEI, 33, 3),  # the demo customer: 稳健型
        ({**_all("first"), "q1": "B"}, 14, 1),  # everything cautious: 保守型
        (_all("last"), 46, 5),  # oldest age band gives 1 point; everything else bold
        ({**_all("last"), "q1": "B"}, 50, 5),  # the boldest sheet
        ({**_all("last"), "q1": "B", "q8": "A"}, 46, 1),  # no loss accepted caps at C1
    ],
)
def test_scoring(answers: dict[str, str], expected_score: int, expected_level: int) -> None:
    assert score_answers(answers) == (expected_score, expected_level)


@pytest.mark.parametrize(
    "answers",
    [
        {k: v for k, v in ZHANG_WEI.items() if k != "q5"},  # a question missing
        {**ZHANG_WEI, "q11": "A"},  # an unknown question
        {**ZHANG_WEI, "q9": "E"},  # q9 has only four options
    ],
)
def test_invalid_answer_sheets_are_refused(answers: dict[str, str]) -> None:
    with pytest.raises(InvalidAnswers):
        score_answers(answers)


answer_sheets = st.fixed_dictionaries(
    {q.id: st.sampled_from([o.key for o in q.options]) for q in QUESTIONS}
)


@given(answer_sheets, st.sampled_from([q.id for q in QUESTIONS]))
def test_a_bolder_answer_never_lowers_the_level(answers: dict[str, str], qid: str) -> None:
    score, level = score_answers(answers)
    assert 1 <= level <= 5 and 10 <= score <= 50
    question = QUESTIONS_BY_ID[qid]
    current = question.option(answers[qid])
    assert current is not None
    bolder = [o for o in question.options if o.points > current.points]
    for option in bolder:
        _, new_level = score_answers({**answers, qid: option.key})
        assert new_level >= level


# ---------------------------------------------------------------- API


def test_questionnaire_endpoint(client: TestClient) -> None:
    body = client.get("/api/v1/risk/questionnaire").json()
    assert body["validity_days"] == 365
    assert [q["id"] for q in body["questions"]] == [f"q{i}" for i in range(1, 11)]
    assert body["questions"][0]["options"][0] == {"key": "A", "text": "18–30岁"}


def test_assessment_is_stored_and_valid_for_a_year(client: TestClient, clock: FakeClock) -> None:
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.id}/risk-assessments"
    assert_error(client.get(f"{url}/current"), 409, "risk_assessment_required")
    created = client.post(url, json={"answers": ZHANG_WEI, "channel": "app"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["risk_level"], body["risk_code"], body["risk_label"]) == (3, "C3", "稳健型")
    assessed = datetime.fromisoformat(body["assessed_at"])
    assert (datetime.fromisoformat(body["expires_at"]) - assessed).days == 365
    assert client.get(f"{url}/current").json()["id"] == body["id"]
    clock.advance(364 * 86400)
    assert client.get(f"{url}/current").status_code == 200
    clock.advance(2 * 86400)
    error = assert_error(client.get(f"{url}/current"), 409, "risk_assessment_required")
    assert error["expired_at"] is not None


def test_latest_assessment_wins(client: TestClient, clock: FakeClock) -> None:
    customer = CustomerFactory()
    url = f"/api/v1/customers/{customer.id}/risk-assessments"
    client.post(url, json={"answers": ZHANG_WEI})
    clock.advance(60)
    client.post(url, json={"answers": {**ZHANG_WEI, "q8": "A"}})
    assert client.get(f"{url}/current").json()["risk_code"] == "C1"


def test_assessment_errors(client: TestClient) -> None:
    customer = CustomerFactory()
    bad = client.post(
        f"/api/v1/customers/{customer.id}/risk-assessments", json={"answers": {"q1": "A"}}
    )
    assert_error(bad, 422, "invalid_risk_answers")
    missing = client.post("/api/v1/customers/999999/risk-assessments", json={"answers": ZHANG_WEI})
    assert_error(missing, 404, "customer_not_found")
