from __future__ import annotations

import json

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.cards import (
    ActionAskLossCard,
    ActionReportCardLoss,
    ValidateCardLossForm,
    loss_reason,
    match_card,
)
from tests.actions.conftest import (
    VERIFIED,
    ZHANG_WEI_ACCOUNTS,
    make_tracker,
    responses,
    user_event,
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("我的卡被ATM吞了", "swallowed"),  # swallowed by a cash machine
        ("钱包被偷了，卡也在里面", "stolen"),  # theft
        ("卡好像丢了", "lost"),  # plain loss
    ],
)
def test_loss_reason(text, reason):
    assert loss_reason(text) == reason


@pytest.mark.parametrize(
    ("tail", "account_type", "expected_id"),
    [
        ("5678", None, 2),  # by card tail
        (None, "储蓄卡", 1),  # by account type
        (None, None, None),  # two cards, nothing said: ask
        ("0000", None, None),  # a tail that is not the customer's
    ],
)
def test_match_card(tail, account_type, expected_id):
    card = match_card(ZHANG_WEI_ACCOUNTS, tail=tail, account_type=account_type)
    assert (card["id"] if card else None) == expected_id


def test_lost_cards_cannot_be_reported_again_by_match():
    cards = [dict(ZHANG_WEI_ACCOUNTS[0], status="lost"), ZHANG_WEI_ACCOUNTS[1]]
    assert match_card(cards, tail=None, account_type="储蓄卡") is None


async def test_form_asks_for_verification_first_when_anonymous(dispatcher, domain):
    slots = await ValidateCardLossForm().required_slots(
        ["phone_number", "verification_code", "loss_card", "loss_confirmed"],
        dispatcher,
        make_tracker(),
        domain,
    )
    assert slots == ["phone_number", "verification_code", "loss_card", "loss_confirmed"]


async def test_form_skips_verification_when_verified(dispatcher, domain):
    slots = await ValidateCardLossForm().required_slots(
        ["phone_number", "verification_code", "loss_card", "loss_confirmed"],
        dispatcher,
        make_tracker(slots=VERIFIED),
        domain,
    )
    assert slots == ["loss_card", "loss_confirmed"]


async def test_card_named_in_the_report_is_picked(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(
        slots=VERIFIED,
        text="我的信用卡丢了",
        intent="report_card_loss",
        entities=[{"entity": "account_type", "value": "信用卡", "start": 2, "end": 5}],
    )
    result = await ValidateCardLossForm().extract_loss_card(dispatcher, tracker, domain)
    assert result == {"loss_card": "2", "loss_card_label": "信用卡（尾号5678）"}


def slot_values(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("text", "intent", "entity", "value"),
    [
        ("储蓄卡", "inform", "account_type", "储蓄卡"),  # typed the card's type
        ("尾号1234", "inform", "card_tail", "1234"),  # typed its last four digits
        ('/inform{"card_tail":"1234"}', "inform", "card_tail", "1234"),  # clicked its button
    ],
)
async def test_picked_card_is_named_in_the_confirmation(
    crm, dispatcher, domain, text, intent, entity, value
):
    # The form run as Rasa calls it: the slot the message filled is the last event.
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(
        slots={**VERIFIED, "requested_slot": "loss_card"},
        text=text,
        intent=intent,
        active_loop="card_loss_form",
        entities=[{"entity": entity, "value": value}],
    )
    tracker.events.append({"event": "slot", "name": entity, "value": value})
    events = await ValidateCardLossForm().run(dispatcher, tracker, domain)
    slots = slot_values(events)
    assert slots["loss_card"] == "1"
    assert slots["loss_card_label"] == "储蓄卡（尾号1234）"
    assert slots["requested_slot"] == "loss_confirmed"


async def test_card_named_when_reporting_is_named_in_the_confirmation(crm, dispatcher, domain):
    # A verified customer who says which card up front: the form starts on that message.
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(
        slots=VERIFIED,
        text="我的信用卡丢了",
        intent="report_card_loss",
        active_loop="card_loss_form",
        entities=[{"entity": "account_type", "value": "信用卡"}],
    )
    tracker.events.append({"event": "slot", "name": "account_type", "value": "信用卡"})
    slots = slot_values(await ValidateCardLossForm().run(dispatcher, tracker, domain))
    assert (slots["loss_card"], slots["loss_card_label"]) == ("2", "信用卡（尾号5678）")


async def test_card_named_before_verification_is_named_in_the_confirmation(crm, dispatcher, domain):
    crm.post("/otp/verify").respond(json={"customer_id": 1, "name": "张伟"})
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(
        slots={"phone_number": "13800138000", "requested_slot": "verification_code"},
        text="123456",
        intent="inform",
        active_loop="card_loss_form",
        events=[
            user_event(
                "我的信用卡丢了",
                "report_card_loss",
                [{"entity": "account_type", "value": "信用卡"}],
            )
        ],
    )
    tracker.events.append({"event": "slot", "name": "verification_code", "value": "123456"})
    slots = slot_values(await ValidateCardLossForm().run(dispatcher, tracker, domain))
    assert (slots["loss_card"], slots["loss_card_label"]) == ("2", "信用卡（尾号5678）")
    assert slots["requested_slot"] == "loss_confirmed"


async def test_a_card_that_is_not_the_customers_is_asked_again(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(
        slots={**VERIFIED, "requested_slot": "loss_card"},
        text="尾号9999",
        intent="inform",
        active_loop="card_loss_form",
        entities=[{"entity": "card_tail", "value": "9999"}],
    )
    tracker.events.append({"event": "slot", "name": "card_tail", "value": "9999"})
    slots = slot_values(await ValidateCardLossForm().run(dispatcher, tracker, domain))
    assert "loss_card" not in slots and "loss_card_label" not in slots
    assert slots["requested_slot"] == "loss_card"


async def test_form_run_keeps_an_abort(crm, dispatcher, domain):
    # A locked phone aborts the form; rasa-sdk's next-requested-slot must not undo that.
    crm.post("/otp/verify").respond(423, json={"code": "otp_locked", "retry_after": 900})
    tracker = make_tracker(
        slots={
            "phone_number": "13800138000",
            "verification_code": "000000",
            "requested_slot": "verification_code",
        },
        text="000000",
        intent="inform",
        active_loop="card_loss_form",
        entities=[{"entity": "verification_code", "value": "000000"}],
    )
    tracker.events.append({"event": "slot", "name": "verification_code", "value": "000000"})
    events = await ValidateCardLossForm().run(dispatcher, tracker, domain)
    requested = [e for e in events if e.get("name") == "requested_slot"]
    assert requested == [SlotSet("requested_slot", None)]


async def test_ask_offers_the_reportable_cards_as_buttons(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    await ActionAskLossCard().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_loss_card"
    assert [b["title"] for b in message["buttons"]] == ["储蓄卡（尾号1234）", "信用卡（尾号5678）"]
    payload = message["buttons"][1]["payload"]
    assert payload.startswith("/inform") and json.loads(payload[7:]) == {"card_tail": "5678"}


LOSS_RESULT = {
    "account": dict(ZHANG_WEI_ACCOUNTS[0], status="lost"),
    "already_reported": False,
    "reported_at": "2026-11-29T12:00:00+00:00",
    "reference": "GS20261129000123",
}


async def test_confirmed_loss_freezes_the_card(crm, dispatcher, domain):
    route = crm.post("/customers/1/accounts/1/report-loss").respond(json=LOSS_RESULT)
    tracker = make_tracker(
        slots={**VERIFIED, "loss_card": "1", "loss_confirmed": True},
        events=[user_event("我的储蓄卡被偷了", "report_card_loss")],
        text="是的",
        intent="affirm",
        metadata={"channel": "web"},
    )
    events = await ActionReportCardLoss().run(dispatcher, tracker, domain)
    assert json.loads(route.calls.last.request.content) == {"reason": "stolen", "channel": "web"}
    assert responses(dispatcher) == ["utter_card_frozen", "utter_card_loss_next_steps_debit"]
    assert dispatcher.messages[0]["reference"] == "GS20261129000123"
    assert SlotSet("loss_card", None) in events


async def test_swallowed_card_gets_the_atm_advice(crm, dispatcher, domain):
    crm.post("/customers/1/accounts/1/report-loss").respond(json=LOSS_RESULT)
    tracker = make_tracker(
        slots={**VERIFIED, "loss_card": "1", "loss_confirmed": True},
        events=[user_event("卡被ATM吞了", "report_card_loss")],
        text="确认",
        intent="affirm",
    )
    await ActionReportCardLoss().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[1] == "utter_card_loss_next_steps_swallowed"


async def test_second_report_says_it_is_already_done(crm, dispatcher, domain):
    crm.post("/customers/1/accounts/1/report-loss").respond(
        json={**LOSS_RESULT, "already_reported": True}
    )
    tracker = make_tracker(slots={**VERIFIED, "loss_card": "1", "loss_confirmed": True})
    await ActionReportCardLoss().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_card_already_reported"]
    assert dispatcher.messages[0]["reported_at"] == "2026年11月29日 20:00"


async def test_declined_loss_freezes_nothing(crm, dispatcher, domain):
    route = crm.post("/customers/1/accounts/1/report-loss").respond(json=LOSS_RESULT)
    tracker = make_tracker(slots={**VERIFIED, "loss_card": "1", "loss_confirmed": False})
    await ActionReportCardLoss().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_card_loss_cancelled"]
    assert not route.called


async def test_no_reportable_card_ends_the_form(crm, dispatcher, domain):
    cards = [dict(card, status="lost") for card in ZHANG_WEI_ACCOUNTS]
    crm.get("/customers/1/accounts").respond(json=cards)
    events = await ActionAskLossCard().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    assert responses(dispatcher) == ["utter_card_loss_no_cards"]
    assert events[:2] == [ActiveLoop(None), SlotSet("requested_slot", None)]
