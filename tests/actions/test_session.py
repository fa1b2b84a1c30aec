from __future__ import annotations

import httpx
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet

from actions.session import ActionSessionStart
from tests.actions.conftest import app_token, make_tracker


async def test_app_session_is_verified_from_the_identity_token(crm, dispatcher, domain):
    crm.get("/customers/1").respond(json={"id": 1, "name": "张伟"})
    metadata = {"channel": "app", "identity_token": app_token("1")}
    tracker = make_tracker(slots={"session_started_metadata": metadata})
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert events == [
        SessionStarted(),
        SlotSet("session_started_metadata", metadata),
        SlotSet("customer_id", "1"),
        SlotSet("customer_verified", True),
        SlotSet("customer_name", "张伟"),
        ActionExecuted("action_listen"),
    ]


async def test_web_session_starts_unverified(crm, dispatcher, domain):
    tracker = make_tracker(slots={"session_started_metadata": {"channel": "web"}})
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert SlotSet("customer_verified", True) not in events
    assert events[0] == SessionStarted() and events[-1] == ActionExecuted("action_listen")


async def test_token_for_an_unknown_customer_is_not_trusted(crm, dispatcher, domain):
    crm.get("/customers/999").respond(404, json={"code": "customer_not_found"})
    metadata = {"channel": "app", "identity_token": app_token("999")}
    events = await ActionSessionStart().run(
        dispatcher, make_tracker(slots={"session_started_metadata": metadata}), domain
    )
    assert SlotSet("customer_verified", True) not in events


async def test_crm_down_at_session_start_still_verifies_a_valid_token(crm, dispatcher, domain):
    crm.get("/customers/1").mock(side_effect=httpx.ConnectError("refused"))
    metadata = {"channel": "app", "identity_token": app_token("1")}
    events = await ActionSessionStart().run(
        dispatcher, make_tracker(slots={"session_started_metadata": metadata}), domain
    )
    assert SlotSet("customer_verified", True) in events
    assert SlotSet("customer_name", None) in events
