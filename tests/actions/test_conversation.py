"""What the conversation so far says: intents of customer messages and their count."""

from __future__ import annotations

from actions.conversation import event_intent, latest_intent, user_turns
from tests.actions.conftest import make_tracker, user_event


def test_the_intent_of_a_user_event_and_of_the_latest_message() -> None:
    tracker = make_tracker(text="余额多少", intent="check_balance")
    assert event_intent(user_event("我要投诉", "complain")) == "complain"
    assert latest_intent(tracker) == "check_balance"


def test_events_and_messages_without_an_intent() -> None:
    # bot utterances, slots and actions have no parse; a message may lack an intent
    assert event_intent({"event": "bot", "text": "您好"}) is None
    assert event_intent({"event": "user", "parse_data": {"intent": None}}) is None
    assert latest_intent(make_tracker(text="你好", intent="greet")) == "greet"
    bare = make_tracker()
    bare.latest_message = {}
    assert latest_intent(bare) is None


def test_user_turns_count_only_customer_messages() -> None:
    events = [user_event("你好", "greet"), {"event": "bot", "text": "您好"}]
    assert user_turns(make_tracker(events=events)) == 2  # the latest message is one too
