"""Action tests: trackers from small dicts, CollectingDispatcher, CRM mocked with respx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import respx
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.settings import get_settings
from trainer.project import DOMAIN, load_domain

ROOT = Path(__file__).resolve().parents[2]
CRM = "http://crm.test"
API = f"{CRM}/api/v1"
APP_SECRET = "test-app-secret-0123456789abcdef-32b"

ZHANG_WEI_ACCOUNTS = [
    {
        "id": 1,
        "account_type": "储蓄卡",
        "masked_number": "尾号1234",
        "last4": "1234",
        "status": "normal",
        "currency": "CNY",
        "balance": "52380.45",
        "credit_limit": None,
        "available_credit": None,
        "opened_on": "2019-03-01",
    },
    {
        "id": 2,
        "account_type": "信用卡",
        "masked_number": "尾号5678",
        "last4": "5678",
        "status": "normal",
        "currency": "CNY",
        "balance": "3200.00",
        "credit_limit": "50000.00",
        "available_credit": "46800.00",
        "opened_on": "2021-06-15",
    },
]


@pytest.fixture(autouse=True)
def action_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CRM_URL", CRM)
    monkeypatch.setenv("CRM_SERVICE_TOKEN", "service-token-for-tests")
    monkeypatch.setenv("APP_TOKEN_SECRET", APP_SECRET)
    monkeypatch.setenv("CRM_DEMO_MODE", "false")
    monkeypatch.setenv("CRM_TIMEOUT_SECONDS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def crm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain(ROOT / DOMAIN)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def app_token(customer_id: str = "1", secret: str = APP_SECRET, expires_in: int = 3600) -> str:
    import time

    now = int(time.time())
    return jwt.encode(
        {"sub": customer_id, "iss": "test-app", "iat": now, "exp": now + expires_in},
        secret,
        algorithm="HS256",
    )


def user_event(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "metadata": metadata or {},
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
        },
    }


def make_tracker(
    *,
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "check_balance",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    latest = user_event(text, intent, entities, metadata)
    all_slots = {"customer_verified": False, "requested_slot": None}
    all_slots.update(slots or {})
    return Tracker(
        sender_id="test-sender",
        slots=all_slots,
        latest_message={**latest["parse_data"], "metadata": latest["metadata"]},
        events=[*(events or []), latest],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


VERIFIED = {"customer_id": "1", "customer_verified": True, "customer_name": "张伟"}


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]
