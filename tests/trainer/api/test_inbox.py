"""The NLU inbox: collecting from a real tracker store, masking, annotating into data/.

`fixtures/tracker_events.json` is the `events` table Rasa 3.6 wrote for six test
conversations run through the real stack (greeting, balance with phone + code, a fallback
that ends in a handoff, a lost card with a card number, an ID number, a repeated message).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from crm_api.config import Settings
from tests.crm_api.conftest import FakeClock, assert_error, build_app, make_settings
from tests.crm_api.staff_helpers import login, make_staff
from trainer.project import DOMAIN
from trainer.tracker import EVENTS

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "tracker_events.json"
URL = "/api/v1/trainer/inbox"
# what must never reach a trainer: the demo phone, the typed phone, card, ID number, codes
SECRETS = re.compile(
    r"13800138000|13812345678|6222\s?0212|11010119900307|482913|四八二九一三|123456"
)


def load_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return events


def user_event(sender: str, text: str, intent: str, confidence: float) -> dict[str, Any]:
    """A user event shaped like the recorded ones, with other text and prediction."""
    template = next(e for e in load_events() if e["type_name"] == "user")
    event = copy.deepcopy(template)
    event["sender_id"] = sender
    event["intent_name"] = intent
    event["data"]["text"] = text
    parse = event["data"]["parse_data"]
    parse.update(text=text, entities=[], intent={"name": intent, "confidence": confidence})
    parse["intent_ranking"] = [{"name": intent, "confidence": confidence}]
    return event


class TrackerStore:
    """A SQLite file with Rasa's `events` table (the columns of SQLTrackerStore.SQLEvent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}")
        EVENTS.metadata.create_all(self.engine)

    def add(self, events: list[dict[str, Any]]) -> None:
        rows = [
            {
                "sender_id": e["sender_id"],
                "type_name": e["type_name"],
                "timestamp": e["timestamp"],
                "intent_name": e["intent_name"],
                "action_name": e["action_name"],
                "data": json.dumps(e["data"], ensure_ascii=False),
            }
            for e in events
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(EVENTS), rows)


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[TrackerStore]:
    store = TrackerStore(tmp_path / "tracker.db")
    yield store
    store.engine.dispose()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the work tree's training data that the test may write into."""
    target = tmp_path / "repo"
    shutil.copytree(ROOT / "data", target / "data")
    shutil.copytree(ROOT / DOMAIN, target / DOMAIN)
    return target


@pytest.fixture
def trainer_settings(database_url: str, tracker: TrackerStore, repo: Path) -> Settings:
    return make_settings(
        database_url,
        tracker_db=str(tracker.path),
        trainer_repo_dir=repo,
        trainer_low_confidence=0.7,
    )


@pytest.fixture
def api(trainer_settings: Settings, session: Session, clock: FakeClock) -> Iterator[TestClient]:
    with TestClient(build_app(trainer_settings, session, clock)) as client:
        yield client


@pytest.fixture
def trainer(api: TestClient, session: Session) -> dict[str, str]:
    return login(api, make_staff(session, "trainer", "总行"))


def sync(api: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = api.post(f"{URL}/sync", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def items(api: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = api.get(URL, headers=headers, params={"page_size": 200, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def by_text(found: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(i for i in found if i["text"] == text)


# ---- collecting ---------------------------------------------------------------------------


def test_sync_files_real_messages_worst_understood_first(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore
) -> None:
    tracker.add(load_events())
    result = sync(api, trainer)
    assert result["events_read"] == 127 and result["messages"] == 17
    # 你好 / 查余额 (×2) / 转人工 / 謝謝 (as 谢谢) are training examples of what the model
    # predicted
    assert result["already_known"] == 5
    found = items(api, trainer)
    assert found[0]["text"] == "蓝瘦香菇" and found[0]["reason"] == "fallback"
    assert found[0]["reason_label"] == "未识别（兜底）"
    # the two turns before the handoff, whatever their confidence
    handoff = [i["text"] for i in found if i["reason"] == "handoff"]
    assert set(handoff) == {"那个东西帮我弄一下", "嗯嗯就是那个啥"}
    # the same text from two conversations is one item
    assert by_text(found, "那个东西帮我弄一下")["occurrences"] == 2
    priorities = [
        {"fallback": 3, "handoff": 2, "low_confidence": 1, "other": 0}[i["reason"]] for i in found
    ]
    assert priorities == sorted(priorities, reverse=True)
    counts = api.get(URL, headers=trainer).json()["counts"]
    assert counts["fallback"] == 1 and counts["handoff"] == 2
    assert sum(counts.values()) == len(found)


def test_nothing_a_trainer_sees_holds_a_phone_card_id_or_code(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore
) -> None:
    events = load_events()
    # as if an older tracker store had kept them unmasked
    events += [
        user_event("raw-1", "卡号6222 0212 3456 7890丢了", "report_card_loss", 0.9),
        user_event("raw-2", "验证码 482913", "inform", 0.95),
        user_event("raw-3", "验证码四八二九一三", "inform", 0.95),
        user_event("raw-4", "身份证11010119900307123X", "inform", 0.5),
    ]
    tracker.add(events)
    sync(api, trainer)
    body = api.get(URL, headers=trainer, params={"page_size": 200}).text
    assert not SECRETS.search(body), SECRETS.search(body)
    found = items(api, trainer)
    texts = {i["text"] for i in found}
    assert "我手机号138****5678一直收不到验证码" in texts
    assert "卡号**** **** **** 7890丢了" in texts
    assert "身份证**************123X" in texts
    # the tracker store masked one code already; the inbox masks the raw ones the same way,
    # so all three are one item
    assert "验证码 ******" not in texts
    assert by_text(found, "验证码******")["occurrences"] == 3


def test_sync_is_incremental_and_marks_handoff_turns_filed_earlier(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore
) -> None:
    events = load_events()
    handoff_at = next(i for i, e in enumerate(events) if e["action_name"] == "action_handoff")
    tracker.add(events[:handoff_at])
    first = sync(api, trainer)
    assert by_text(items(api, trainer), "嗯嗯就是那个啥")["reason"] == "other"  # affirm 0.98
    assert sync(api, trainer)["events_read"] == 0
    tracker.add(events[handoff_at:])
    second = sync(api, trainer)
    assert second["events_read"] == len(events) - handoff_at
    assert second["last_event_id"] == first["last_event_id"] + second["events_read"]
    assert by_text(items(api, trainer), "嗯嗯就是那个啥")["reason"] == "handoff"


def test_entity_spans_follow_the_text_the_tracker_store_shortened(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore
) -> None:
    # Rasa found the card on 「卡号6222 0212 3456 7890的余额」; the store kept a shorter text
    event = user_event("s", "卡号************7890的储蓄卡余额", "check_balance", 0.9)
    event["data"]["parse_data"]["entities"] = [
        {"entity": "card_number", "start": 2, "end": 21, "value": "************7890"},
        {"entity": "account_type", "start": 22, "end": 25, "value": "储蓄卡"},
    ]
    tracker.add([event])
    sync(api, trainer)
    (item,) = items(api, trainer)
    spans = {e["entity"]: item["text"][e["start"] : e["end"]] for e in item["entities"]}
    assert spans == {"card_number": "************7890", "account_type": "储蓄卡"}


def test_button_payloads_and_empty_messages_are_not_filed(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore
) -> None:
    tracker.add(
        [
            user_event("b", "/request_human", "request_human", 1.0),
            user_event("b", "   ", "nlu_fallback", 0.1),
            user_event("b", "信用卡帐单咋还", "query_credit_card", 0.55),
        ]
    )
    assert sync(api, trainer)["messages"] == 1
    (item,) = items(api, trainer)
    assert item["reason"] == "low_confidence" and item["confidence"] == 0.55


# ---- deciding -----------------------------------------------------------------------------


def test_marking_correct_writes_the_prediction_into_its_topic_file(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore, repo: Path
) -> None:
    tracker.add(load_events())
    sync(api, trainer)
    item = by_text(items(api, trainer), "我想问问大额存单利率")
    assert item["predicted_intent"] == "ask_interest_rate"
    before = (repo / "data/nlu/products.yml").read_text(encoding="utf-8")
    response = api.post(f"{URL}/{item['id']}/accept", headers=trainer, json={})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "accepted" and body["written_to"] == "data/nlu/products.yml"
    after = (repo / "data/nlu/products.yml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    # the predicted product_type span comes along, with its canonical value
    assert added == ["    - 我想问问[大额存单](product_type)利率"]
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    assert [c for c in before.splitlines() if c.lstrip().startswith("#")] == [
        c for c in after.splitlines() if c.lstrip().startswith("#")
    ]
    again = api.post(f"{URL}/{item['id']}/accept", headers=trainer, json={})
    assert_error(again, 409, "inbox_item_closed")
    assert items(api, trainer, status="accepted")[0]["id"] == item["id"]


def test_relabel_with_an_entity_selected_on_masked_text(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore, repo: Path
) -> None:
    tracker.add([user_event("r", "我工资卡上个月的钱咋少了", "query_credit_card", 0.41)])
    sync(api, trainer)
    (item,) = items(api, trainer)
    text = item["text"]
    span = {"start": text.index("工资卡"), "end": text.index("工资卡") + 3}
    period = {"start": text.index("上个月"), "end": text.index("上个月") + 3}
    response = api.post(
        f"{URL}/{item['id']}/accept",
        headers=trainer,
        json={
            "intent": "query_transactions",
            "entities": [
                {**span, "entity": "account_type", "value": "储蓄卡"},
                {**period, "entity": "time_period"},
            ],
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["final_intent"] == "query_transactions"
    content = (repo / response.json()["written_to"]).read_text(encoding="utf-8")
    assert (
        '- 我[工资卡]{"entity": "account_type", "value": "储蓄卡"}[上个月](time_period)的钱咋少了'
        in content
    )


def test_masked_digits_become_surrogate_digits_in_the_training_file(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore, repo: Path
) -> None:
    tracker.add([user_event("p", "我手机号13812345678收不到验证码", "inform", 0.6)])
    sync(api, trainer)
    (item,) = items(api, trainer)
    assert item["text"] == "我手机号138****5678收不到验证码"
    response = api.post(
        f"{URL}/{item['id']}/accept", headers=trainer, json={"intent": "faq/sms_alert"}
    )
    assert response.status_code == 200, response.text
    content = (repo / "data/faq/ebanking_transfers.yml").read_text(encoding="utf-8")
    line = next(ln for ln in content.splitlines() if "收不到验证码" in ln and "我手机号" in ln)
    assert line.strip() == "- 我手机号13827495678收不到验证码"
    assert "13812345678" not in content and "*" not in line


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"intent": "no_such_intent"}, 422, "unknown_intent"),
        ({"intent": "nlu_fallback"}, 422, "intent_required"),
        ({"intent": "faq"}, 422, "unknown_intent"),  # a retrieval intent needs its topic
        (
            {"intent": "check_balance", "entities": [{"start": 0, "end": 2, "entity": "nope"}]},
            422,
            "unknown_entity",
        ),
        (
            {"intent": "check_balance", "entities": [{"start": 0, "end": 99, "entity": "rating"}]},
            422,
            "bad_span",
        ),
        (
            {"intent": "inform", "entities": [{"start": 0, "end": 2, "entity": "amount"}]},
            422,
            "rule_entity",
        ),
        (
            {"intent": "greet", "entities": [{"start": 3, "end": 1, "entity": "rating"}]},
            422,
            "validation_error",
        ),
    ],
)
def test_bad_annotations_are_refused_and_nothing_is_written(
    api: TestClient,
    trainer: dict[str, str],
    tracker: TrackerStore,
    repo: Path,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    tracker.add([user_event("x", "蓝瘦香菇啊", "nlu_fallback", 0.3)])
    sync(api, trainer)
    (item,) = items(api, trainer)
    snapshot = {p: p.read_bytes() for p in repo.rglob("*.yml")}
    response = api.post(f"{URL}/{item['id']}/accept", headers=trainer, json=body)
    if code == "validation_error":
        assert response.status_code == 422
    else:
        assert_error(response, status, code)
    assert {p: p.read_bytes() for p in repo.rglob("*.yml")} == snapshot
    assert items(api, trainer)[0]["status"] == "new"


def test_a_text_already_labelled_otherwise_is_a_conflict(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore, repo: Path
) -> None:
    # 「查余额」 is a check_balance example; the model said inform, the trainer says deny
    tracker.add([user_event("c", "查余额。", "inform", 0.5)])
    sync(api, trainer)
    (item,) = items(api, trainer)
    response = api.post(f"{URL}/{item['id']}/accept", headers=trainer, json={"intent": "deny"})
    body = assert_error(response, 409, "conflict")
    assert "check_balance" in body["detail"]
    response = api.post(
        f"{URL}/{item['id']}/accept", headers=trainer, json={"intent": "check_balance"}
    )
    assert_error(response, 409, "duplicate")


def test_discard_writes_nothing(
    api: TestClient, trainer: dict[str, str], tracker: TrackerStore, repo: Path
) -> None:
    tracker.add([user_event("d", "哈哈哈哈哈", "greet", 0.3)])
    sync(api, trainer)
    (item,) = items(api, trainer)
    snapshot = {p: p.read_bytes() for p in repo.rglob("*.yml")}
    response = api.post(f"{URL}/{item['id']}/discard", headers=trainer)
    assert response.status_code == 200 and response.json()["status"] == "discarded"
    assert {p: p.read_bytes() for p in repo.rglob("*.yml")} == snapshot
    assert items(api, trainer) == []
    # the same text sent again is counted on the discarded item, not filed again
    tracker.add([user_event("d2", "哈哈哈哈哈", "greet", 0.3)])
    assert sync(api, trainer)["new_items"] == 0
    assert items(api, trainer, status="discarded")[0]["occurrences"] == 2
    assert_error(api.post(f"{URL}/999999/discard", headers=trainer), 404, "inbox_item_not_found")


def test_labels_offer_domain_intents_faq_topics_and_annotatable_entities(
    api: TestClient, trainer: dict[str, str]
) -> None:
    body = api.get(f"{URL}/labels", headers=trainer).json()
    intents = {i["name"]: i["file"] for i in body["intents"]}
    assert intents["check_balance"] == "data/nlu/accounts.yml"
    assert intents["faq/business_hours"] == "data/faq/branches_accounts.yml"
    assert "faq" not in intents and "nlu_fallback" not in intents
    entities = {e["name"]: e["annotatable"] for e in body["entities"]}
    assert entities["product_type"] is True and entities["phone_number"] is False
    # the console's reason chips and filter, worst first
    assert [(r["name"], r["label"]) for r in body["reasons"]] == [
        ("fallback", "未识别（兜底）"),
        ("handoff", "转人工前"),
        ("low_confidence", "置信度低"),
        ("other", "已识别"),
    ]


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_trainers_use_the_inbox(api: TestClient, session: Session, role: str) -> None:
    headers = login(api, make_staff(session, role, "总行"))
    assert_error(api.get(URL, headers=headers), 403, "forbidden")
    assert_error(api.post(f"{URL}/sync", headers=headers), 403, "forbidden")
    api.cookies.clear()
    assert api.get(URL).status_code == 401


def test_an_empty_tracker_store_syncs_to_nothing(
    api: TestClient, trainer: dict[str, str], tmp_path: Path, trainer_settings: Settings
) -> None:
    assert sync(api, trainer)["events_read"] == 0
    assert api.get(URL, headers=trainer).json()["total"] == 0
