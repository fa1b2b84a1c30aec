import json
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import MaskingSQLTrackerStore, mask_events

DOMAIN = Domain.from_dict(
    {
        "intents": ["inform", "verify"],
        "entities": ["verification_code", "phone"],
        "slots": {
            "verification_code": {
                "type": "text",
                "mappings": [{"type": "from_entity", "entity": "verification_code"}],
            },
            "phone": {"type": "text", "mappings": [{"type": "from_entity", "entity": "phone"}]},
            "requested_slot": {"type": "text", "mappings": [{"type": "custom"}]},
        },
    }
)
IDENTITY_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


def user(text: str, entities: list[dict] | None = None, **kwargs) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": "inform", "confidence": 0.9},
        entities=entities or [],
        parse_data={"text": text, "intent": {"name": "inform"}, "entities": entities or []},
        **kwargs,
    )


def conversation() -> DialogueStateTracker:
    events = [
        SessionStarted(),
        ActionExecuted("action_listen"),
        user(
            "我的手机13800138000",
            [{"entity": "phone", "value": "13800138000", "start": 4, "end": 15}],
        ),
        SlotSet("phone", "13800138000"),
        SlotSet("requested_slot", "verification_code"),
        BotUttered("验证码已发送至138****8000，请输入6位验证码"),
        ActionExecuted("action_listen"),
        # no entity extracted: masked because the form asked for the code
        user("482915", metadata={"channel": "app", "identity_token": IDENTITY_TOKEN}),
        SlotSet("requested_slot", None),
        ActionExecuted("action_listen"),
        # entity extracted, no form asking: masked because of the entity
        user(
            "验证码是 731 406",
            [{"entity": "verification_code", "value": "731406", "start": 4, "end": 11}],
        ),
        SlotSet("verification_code", "731406"),
        ActionExecuted("action_listen"),
        # neither: an amount-like six-digit number stays
        user("转账100000元"),
        # card numbers are always reduced to the last four digits
        user("挂失卡号6222021234567890"),
    ]
    return DialogueStateTracker.from_events("s1", events, DOMAIN.slots)


@pytest.fixture()
def store(tmp_path: Path) -> MaskingSQLTrackerStore:
    return MaskingSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))


def raw_rows(store: MaskingSQLTrackerStore) -> list[str]:
    db = store.engine.url.database
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT data FROM events ORDER BY id")]


async def test_saved_events_contain_no_codes_cards_or_identity_tokens(
    store: MaskingSQLTrackerStore,
) -> None:
    tracker = conversation()
    await store.save(tracker)

    dump = "\n".join(raw_rows(store))
    for secret in ("482915", "731406", "731 406", "6222021234567890", IDENTITY_TOKEN):
        assert secret not in dump
    assert "13800138000" in dump  # phones are kept on purpose (needed across turns)
    assert "100000" in dump  # a six-digit number outside a code context is kept
    assert "************7890" in dump
    assert len(raw_rows(store)) == len(tracker.events)


async def test_live_tracker_is_not_changed(store: MaskingSQLTrackerStore) -> None:
    tracker = conversation()
    before = [e.as_dict() for e in tracker.events]
    await store.save(tracker)
    assert [e.as_dict() for e in tracker.events] == before
    assert tracker.get_slot("verification_code") == "731406"


async def test_retrieve_and_append_keep_working(store: MaskingSQLTrackerStore) -> None:
    tracker = conversation()
    await store.save(tracker)

    # the next turn appends after the stored rows: counts must line up with the live tracker
    tracker.update(BotUttered("已为您挂失尾号7890的卡片"))
    tracker.update(user("好的 谢谢"))
    await store.save(tracker)

    loaded = await store.retrieve("s1")
    assert loaded is not None
    assert len(loaded.events) == len(tracker.events)
    assert [type(e) for e in loaded.events] == [type(e) for e in tracker.events]
    assert loaded.get_slot("verification_code") == "******"
    assert loaded.get_slot("phone") == "13800138000"
    texts = [e.text for e in loaded.events if isinstance(e, UserUttered)]
    assert texts == [
        "我的手机13800138000",
        "******",
        "验证码是 ******",
        "转账100000元",
        "挂失卡号************7890",
        "好的 谢谢",
    ]
    rows = [json.loads(r) for r in raw_rows(store)]
    assert [r["event"] for r in rows] == [e.type_name for e in tracker.events]


def test_mask_events_masks_entities_and_parse_data() -> None:
    masked = mask_events(list(conversation().events))
    code_message = [e for e in masked if isinstance(e, UserUttered)][2]
    assert code_message.parse_data["text"] == "验证码是 ******"
    assert code_message.entities[0]["value"] == "******"
    app_message = [e for e in masked if isinstance(e, UserUttered)][1]
    assert app_message.metadata["identity_token"] == "[redacted]"
    assert app_message.metadata["channel"] == "app"


def test_empty_connection_settings_from_env_mean_embedded_sqlite(tmp_path: Path) -> None:
    # endpoints.yml passes ${TRACKER_HOST} etc.; they are empty for the SQLite default.
    store = MaskingSQLTrackerStore(
        domain=Domain.empty(),
        dialect="sqlite",
        db=str(tmp_path / "t.db"),
        host="",
        port="",
        username="",
        password="",
    )
    assert str(store.engine.url) == f"sqlite:///{tmp_path / 't.db'}"
