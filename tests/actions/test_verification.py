from __future__ import annotations

import httpx
import pytest

from actions.verification import CODE_PLACEHOLDER, ValidateVerifyForm
from tests.actions.conftest import make_tracker, responses

PHONE = "13800138000"


async def test_phone_number_sends_a_code(crm, dispatcher, domain):
    route = crm.post("/otp/request").respond(
        202, json={"expires_in": 300, "masked_phone": "138****8000"}
    )
    result = await ValidateVerifyForm().validate_phone_number(
        PHONE, dispatcher, make_tracker(), domain
    )
    assert result == {"phone_number": PHONE}
    assert route.calls.last.request.content == b'{"phone":"13800138000"}'
    assert responses(dispatcher) == ["utter_otp_sent"]
    assert dispatcher.messages[0]["phone_tail"] == "8000"


async def test_demo_mode_points_to_the_sms_outbox(crm, dispatcher, domain, monkeypatch):
    from actions.settings import get_settings

    monkeypatch.setenv("CRM_DEMO_MODE", "true")
    get_settings.cache_clear()
    crm.post("/otp/request").respond(202, json={"expires_in": 300})
    await ValidateVerifyForm().validate_phone_number(PHONE, dispatcher, make_tracker(), domain)
    assert responses(dispatcher) == ["utter_otp_sent", "utter_otp_sent_demo"]
    assert dispatcher.messages[1]["outbox_url"].endswith(
        "/api/v1/demo/sms-outbox?phone=13800138000"
    )


@pytest.mark.parametrize(
    ("status", "body", "expected_slots", "expected_response"),
    [
        # unknown phone: ask again
        (404, {"code": "customer_not_found"}, {"phone_number": None}, "utter_phone_not_registered"),
        # too many requests: an earlier code may still be valid, so go on to the code
        (
            429,
            {"code": "otp_rate_limited", "retry_after": 42},
            {"phone_number": PHONE},
            "utter_otp_rate_limited",
        ),
        # locked after wrong codes: stop the form
        (
            423,
            {"code": "otp_locked", "retry_after": 600},
            {"phone_number": None, "requested_slot": None},
            "utter_otp_locked",
        ),
    ],
)
async def test_phone_number_refusals(
    crm, dispatcher, domain, status, body, expected_slots, expected_response
):
    crm.post("/otp/request").respond(status, json=body)
    result = await ValidateVerifyForm().validate_phone_number(
        PHONE, dispatcher, make_tracker(), domain
    )
    assert result == expected_slots
    assert responses(dispatcher) == [expected_response]


async def test_invalid_phone_is_not_sent_to_the_crm(crm, dispatcher, domain):
    route = crm.post("/otp/request").respond(202, json={})
    result = await ValidateVerifyForm().validate_phone_number(
        "12345", dispatcher, make_tracker(), domain
    )
    assert result == {"phone_number": None}
    assert responses(dispatcher) == ["utter_invalid_phone"]
    assert not route.called


async def test_crm_down_during_verification_stops_the_form(crm, dispatcher, domain):
    crm.post("/otp/request").mock(side_effect=httpx.ConnectError("refused"))
    result = await ValidateVerifyForm().validate_phone_number(
        PHONE, dispatcher, make_tracker(), domain
    )
    assert result == {"phone_number": None, "requested_slot": None}
    assert responses(dispatcher) == ["utter_service_unavailable"]


async def test_right_code_verifies_the_session(crm, dispatcher, domain):
    route = crm.post("/otp/verify").respond(
        json={"customer_id": 1, "name": "张伟", "masked_phone": "138****8000"}
    )
    tracker = make_tracker(slots={"phone_number": PHONE}, active_loop="verify_form")
    result = await ValidateVerifyForm().validate_verification_code(
        "482913", dispatcher, tracker, domain
    )
    assert result == {
        "verification_code": CODE_PLACEHOLDER,
        "customer_id": "1",
        "customer_verified": True,
        "customer_name": "张伟",
    }
    assert route.calls.last.request.content == b'{"phone":"13800138000","code":"482913"}'
    assert responses(dispatcher) == ["utter_verified"]


async def test_wrong_code_says_how_many_tries_are_left(crm, dispatcher, domain):
    crm.post("/otp/verify").respond(400, json={"code": "otp_invalid", "remaining_attempts": 3})
    tracker = make_tracker(slots={"phone_number": PHONE})
    result = await ValidateVerifyForm().validate_verification_code(
        "111111", dispatcher, tracker, domain
    )
    assert result == {"verification_code": None}
    assert dispatcher.messages[0]["response"] == "utter_otp_wrong"
    assert dispatcher.messages[0]["remaining"] == 3


async def test_expired_code_is_resent(crm, dispatcher, domain):
    crm.post("/otp/verify").respond(410, json={"code": "otp_expired"})
    resend = crm.post("/otp/request").respond(202, json={"expires_in": 300})
    tracker = make_tracker(slots={"phone_number": PHONE})
    result = await ValidateVerifyForm().validate_verification_code(
        "482913", dispatcher, tracker, domain
    )
    assert result == {"verification_code": None}
    assert resend.called
    assert responses(dispatcher) == ["utter_otp_expired_resent"]


async def test_locked_phone_stops_the_form(crm, dispatcher, domain):
    crm.post("/otp/verify").respond(423, json={"code": "otp_locked", "retry_after": 900})
    tracker = make_tracker(slots={"phone_number": PHONE})
    result = await ValidateVerifyForm().validate_verification_code(
        "000000", dispatcher, tracker, domain
    )
    assert result == {"verification_code": None, "phone_number": None, "requested_slot": None}
    assert dispatcher.messages[0]["minutes"] == 15
