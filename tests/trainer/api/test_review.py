"""Conversation review: list/filters, masked transcript, saving a test story, permissions.

The tracker store is a temporary SQLite file with Rasa's `events` table, filled from
tests/fixtures/tracker_events.json: rows Rasa 3.6 (MaskingSQLTrackerStore) wrote while a
person chatted with the real stack over the REST channel (balance with a one-time code,
FAQ, fallbacks, lost card, a rating of 1), plus one handoff conversation built with Rasa's
event classes (pause, agent messages, resume) whose first message carries an unmasked
code, card number and phone, as an older store without masking would have kept them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from crm_api.accounts.models import AuditLogEntry
from crm_api.config import Settings
from crm_api.satisfaction.models import SatisfactionResponse
from tests.crm_api.conftest import T0, FakeClock, assert_error, build_app, make_settings
from tests.crm_api.staff_helpers import login, make_staff
from trainer.project import DOMAIN
from trainer.tracker import EVENTS

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "tracker_events.json"
API = "/api/v1/trainer"
# what customers typed (or what was stored unmasked): never in a trainer's response
SECRETS = ["13800138000", "13900139000", "13912345678", "482913", "6222021234567890123"]
ALL_CONVERSATIONS = {
    "web-zhangwei-0001",
    "web-zhangwei-0002",
    "web-faq-0003",
    "web-fallback-0004",
    "web-lost-0005",
    "web-lowcsat-0006",
    "app-handoff-0007",
}


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return rows


def fill_tracker(path: Path, rows: list[dict[str, Any]]) -> None:
    engine = create_engine(f"sqlite:///{path}")
    EVENTS.metadata.create_all(engine)  # the same columns and index as Rasa's SQLEvent
    with engine.begin() as conn:
        conn.execute(insert(EVENTS), rows)
    engine.dispose()


@pytest.fixture
def trainer_repo(tmp_path: Path) -> Path:
    """A work tree with the real domain and FAQ files, and no reviewed stories yet."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    shutil.copytree(ROOT / DOMAIN, repo / DOMAIN)
    shutil.copytree(ROOT / "data" / "faq", repo / "data" / "faq")
    return repo


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    fill_tracker(path, _rows())
    return path


@pytest.fixture
def settings(database_url: str, tracker_db: Path, trainer_repo: Path) -> Settings:
    return make_settings(
        database_url,
        tracker_dialect="sqlite",
        tracker_db=str(tracker_db),
        trainer_repo_dir=trainer_repo,
    )


@pytest.fixture
def app(settings: Settings, session: Session, clock: FakeClock) -> Iterator[FastAPI]:
    app = build_app(settings, session, clock)
    yield app
    reader = getattr(app.state, "tracker_reader", None)
    if reader is not None:
        reader.dispose()


@pytest.fixture
def staff_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def trainer(session: Session, staff_client: TestClient) -> dict[str, str]:
    staff = make_staff(session, role="trainer", username="liuxunlian", display_name="刘老师")
    return login(staff_client, staff)


@pytest.fixture
def ratings(session: Session) -> None:
    for conversation_id, score in (("web-lowcsat-0006", 1), ("web-zhangwei-0002", 5)):
        session.add(
            SatisfactionResponse(
                kind="conversation",
                status="answered",
                conversation_id=conversation_id,
                channel="web",
                score=score,
                created_at=T0,
                answered_at=T0,
            )
        )
    session.flush()


def _senders(client: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = client.get(f"{API}/conversations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["sender_id"] for item in response.json()["items"]]


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# ---- the list ------------------------------------------------------------------------


def test_list_newest_first_with_summaries(
    staff_client: TestClient, trainer: dict[str, str], ratings: None
) -> None:
    response = staff_client.get(f"{API}/conversations", headers=trainer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(ALL_CONVERSATIONS)
    items = {item["sender_id"]: item for item in body["items"]}
    assert set(items) == ALL_CONVERSATIONS
    last = [item["last_at"] for item in body["items"]]
    assert last == sorted(last, reverse=True)
    assert body["items"][0]["sender_id"] == "app-handoff-0007"  # the latest activity

    balance = items["web-zhangwei-0002"]
    assert balance["channel"] == "rest"
    assert balance["customer_messages"] == 5
    assert balance["preview"] == "查余额"
    assert {"check_balance", "inform", "query_credit_card", "thank"} <= set(balance["intents"])
    assert balance["csat"] == 5
    assert balance["fallback"] is False and balance["handoff"] is False
    assert balance["started_at"].endswith("+08:00")  # Beijing time, like the other pages
    assert items["web-lowcsat-0006"]["csat"] == 1
    assert items["web-faq-0003"]["csat"] is None
    assert items["app-handoff-0007"]["channel"] == "webchat"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # a base intent (also said to the agent during the handoff)
        ({"intent": "report_card_loss"}, {"web-lost-0005", "app-handoff-0007"}),
        # a retrieval intent: only the conversation where that FAQ was asked
        ({"intent": "faq/card_activation"}, {"web-faq-0003"}),
        # an FAQ topic nobody asked
        ({"intent": "faq/forex_rates"}, set()),
        # fallback: the NLU answered nlu_fallback at least once
        ({"fallback": "true"}, {"web-fallback-0004", "web-lowcsat-0006"}),
        # handoff: action_handoff ran (agents offline or not)
        ({"handoff": "true"}, {"web-fallback-0004", "app-handoff-0007"}),
        # low CSAT: rated 1 or 2
        ({"low_csat": "true"}, {"web-lowcsat-0006"}),
        # filters combine
        ({"fallback": "true", "low_csat": "true"}, {"web-lowcsat-0006"}),
        ({"handoff": "true", "intent": "request_human"}, {"web-fallback-0004", "app-handoff-0007"}),
        # text search in what customers said (Chinese is \u-escaped in Rasa's JSON)
        ({"q": "激活"}, {"web-faq-0003"}),
        # search by conversation id
        ({"q": "LOST-00"}, {"web-lost-0005"}),
        # search text that is only in a bot message
        ({"q": "验证码已发送"}, set()),
    ],
)
def test_filters(
    staff_client: TestClient,
    trainer: dict[str, str],
    ratings: None,
    params: dict[str, str],
    expected: set[str],
) -> None:
    assert set(_senders(staff_client, trainer, **params)) == expected


def test_low_csat_without_any_low_rating_is_empty(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    assert _senders(staff_client, trainer, low_csat="true") == []


def test_search_refuses_numbers_that_could_find_a_masked_phone(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    response = staff_client.get(f"{API}/conversations", params={"q": "1380013"}, headers=trainer)
    assert_error(response, 422, "search_has_number")


def test_pagination(staff_client: TestClient, trainer: dict[str, str], tracker_db: Path) -> None:
    # 30 more one-message conversations, older than the fixture's
    extra = []
    for n in range(30):
        data = {"event": "user", "timestamp": 1_700_000_000.0 + n, "text": f"你好{n}",
                "parse_data": {"intent": {"name": "greet", "confidence": 0.99}, "entities": []},
                "input_channel": "webchat"}  # fmt: skip
        extra.append({"sender_id": f"old-{n:02d}", "type_name": "user",
                      "timestamp": data["timestamp"], "intent_name": "greet",
                      "action_name": None, "data": json.dumps(data)})  # fmt: skip
    fill_tracker(tracker_db, extra)
    first = staff_client.get(f"{API}/conversations", headers=trainer).json()
    second = staff_client.get(f"{API}/conversations?page=2", headers=trainer).json()
    assert first["total"] == second["total"] == 37
    assert len(first["items"]) == first["page_size"] == 20
    assert len(second["items"]) == 17
    seen = [i["sender_id"] for i in first["items"] + second["items"]]
    assert len(set(seen)) == 37
    assert seen[-1] == "old-00"  # the oldest last


def test_no_events_table_yet_reads_as_no_conversations(
    database_url: str, session: Session, clock: FakeClock, tmp_path: Path, trainer_repo: Path
) -> None:
    settings = make_settings(
        database_url, tracker_db=str(tmp_path / "never-started.db"), trainer_repo_dir=trainer_repo
    )
    app = build_app(settings, session, clock)
    with TestClient(app) as client:
        headers = login(client, make_staff(session, role="trainer"))
        body = client.get(f"{API}/conversations", headers=headers).json()
        assert body["items"] == [] and body["total"] == 0
        response = client.get(f"{API}/conversations/nobody", headers=headers)
        assert_error(response, 404, "conversation_not_found")
    app.state.tracker_reader.dispose()


# ---- the transcript ------------------------------------------------------------------


def test_transcript_reads_like_the_conversation(
    staff_client: TestClient, trainer: dict[str, str], ratings: None, session: Session
) -> None:
    response = staff_client.get(f"{API}/conversations/web-zhangwei-0002", headers=trainer)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversation"]["csat"] == 5
    entries = body["entries"]
    customer = [e for e in entries if e["kind"] == "customer"]
    assert [e["text"] for e in customer] == [
        "查余额",
        "138****8000",
        "******",
        "信用卡这期要还多少",
        "谢谢",
    ]
    first = customer[0]
    assert first["intent"] == "check_balance" and 0.9 < first["confidence"] <= 1
    assert first["fallback"] is False
    phone = customer[1]
    assert phone["entities"][0]["entity"] == "phone_number"
    assert phone["entities"][0]["value"] == "138****8000"
    bills = customer[3]
    assert bills["entities"][0] == {
        "entity": "account_type", "value": "信用卡", "start": 0, "end": 3,
        "extractor": "GazetteerEntityRuler",
    }  # fmt: skip
    bot = [e["text"] for e in entries if e["kind"] == "bot"]
    assert "张伟，您好，身份验证成功。" in bot
    assert any(t.startswith("您的信用卡（尾号5928）本期账单") for t in bot)
    actions = [e["name"] for e in entries if e["kind"] == "action"]
    assert actions[:2] == ["verify_form", "verify_form"]
    assert "action_listen" not in actions and "action_query_credit_card" in actions
    slots = {(e["name"], json.dumps(e["value"])) for e in entries if e["kind"] == "slot"}
    assert ("customer_verified", "true") in slots
    assert ("phone_number", '"138****8000"') in slots
    forms = [e["name"] for e in entries if e["kind"] == "form"]
    assert forms == ["verify_form", None]
    # reading a transcript is an audited access to customer data
    audit = session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "trainer.view_conversation")
    ).all()
    assert [a.detail["conversation_id"] for a in audit] == ["web-zhangwei-0002"]
    assert audit[0].actor == "staff:liuxunlian"


def test_transcript_of_a_handoff_shows_agent_and_markers(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    body = staff_client.get(f"{API}/conversations/app-handoff-0007", headers=trainer).json()
    assert body["conversation"]["handoff"] is True
    kinds = [(e["kind"], e.get("marker") or e.get("agent")) for e in body["entries"]]
    assert ("marker", "pause") in kinds and ("marker", "resume") in kinds
    agent = [e for e in body["entries"] if e["kind"] == "agent"]
    assert [e["agent"] for e in agent] == ["小李", "小李"]
    assert agent[0]["text"].startswith("您好，我是客服小李")
    first = next(e for e in body["entries"] if e["kind"] == "customer")
    assert first["text"] == (
        "我刚收到的验证码是******，卡号***************0123，手机139****5678，帮我转人工"
    )
    assert first["alternatives"] == [{"intent": "report_card_loss", "confidence": 0.21}]


def test_rejected_form_and_fallback_are_visible(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    lost = staff_client.get(f"{API}/conversations/web-lost-0005", headers=trainer).json()
    assert [e["name"] for e in lost["entries"] if e["kind"] == "rejected"] == ["card_loss_form"] * 3
    fallback = staff_client.get(f"{API}/conversations/web-fallback-0004", headers=trainer).json()
    first = next(e for e in fallback["entries"] if e["kind"] == "customer")
    assert first["intent"] == "nlu_fallback" and first["fallback"] is True


def test_unknown_conversation_is_404(staff_client: TestClient, trainer: dict[str, str]) -> None:
    response = staff_client.get(f"{API}/conversations/no-such-sender", headers=trainer)
    assert_error(response, 404, "conversation_not_found")


def test_nothing_a_trainer_reads_contains_a_phone_card_or_code(
    staff_client: TestClient, trainer: dict[str, str], ratings: None
) -> None:
    listing = staff_client.get(f"{API}/conversations", headers=trainer)
    _no_secrets(listing.text)
    for sender in ALL_CONVERSATIONS:
        response = staff_client.get(f"{API}/conversations/{sender}", headers=trainer)
        assert response.status_code == 200
        _no_secrets(response.text)
    # the raw fixture does contain them, so this test can fail
    raw = FIXTURE.read_text(encoding="utf-8")
    assert all(s in raw or json.dumps(s) in raw for s in SECRETS)


# ---- permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_trainers(staff_client: TestClient, session: Session, role: str) -> None:
    headers = login(staff_client, make_staff(session, role=role))
    for response in (
        staff_client.get(f"{API}/conversations", headers=headers),
        staff_client.get(f"{API}/conversations/web-faq-0003", headers=headers),
        staff_client.get(f"{API}/review/intents", headers=headers),
        staff_client.post(
            f"{API}/conversations/web-faq-0003/test-story", json={"name": "x"}, headers=headers
        ),
    ):
        assert_error(response, 403, "forbidden")


def test_login_required(staff_client: TestClient) -> None:
    for response in (
        staff_client.get(f"{API}/conversations"),
        staff_client.get(f"{API}/conversations/web-faq-0003"),
        staff_client.post(f"{API}/conversations/web-faq-0003/test-story", json={"name": "x"}),
    ):
        assert_error(response, 401, "not_authenticated")


# ---- saving a test story -------------------------------------------------------------


def test_intents_offered_for_corrections(staff_client: TestClient, trainer: dict[str, str]) -> None:
    intents = staff_client.get(f"{API}/review/intents", headers=trainer).json()["intents"]
    assert {"check_balance", "nlu_fallback", "faq/card_activation"} <= set(intents)
    assert len(intents) == len(set(intents))


def test_save_a_test_story(
    staff_client: TestClient, trainer: dict[str, str], trainer_repo: Path, session: Session
) -> None:
    response = staff_client.post(
        f"{API}/conversations/web-zhangwei-0002/test-story",
        json={"name": "验证后查余额和信用卡账单"},
        headers=trainer,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["path"] == "tests/stories/reviewed/test_验证后查余额和信用卡账单.yml"
    assert body["stories"] == 1
    written = (trainer_repo / body["path"]).read_text(encoding="utf-8")
    assert written == body["content"]
    assert written.startswith("# 对话复盘保存的测试故事：会话 web-zhangwei-0002，渠道 rest\n")
    assert "# 保存人 刘老师（liuxunlian），2026-11-29 12:00（北京时间）" in written
    assert "\\u" not in written  # Chinese stays readable
    assert "  - story: 验证后查余额和信用卡账单\n" in written
    assert "      - user: |\n          查余额\n        intent: check_balance\n" in written
    # masked, then digits again: the NLU still sees a phone number there
    assert "[13827498000](phone_number)" in written
    assert "[信用卡](account_type)这期要还多少" in written
    assert "      - active_loop: null\n" in written
    assert "action_listen" not in written and "action_session_start" not in written
    _no_secrets(written)
    _no_secrets(response.text)
    audit = session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "trainer.save_test_story")
    ).one()
    assert audit.detail["path"] == body["path"]


def test_same_name_twice_is_refused(
    staff_client: TestClient, trainer: dict[str, str], trainer_repo: Path
) -> None:
    url = f"{API}/conversations/web-faq-0003/test-story"
    assert staff_client.post(url, json={"name": "faq-激活"}, headers=trainer).status_code == 201
    path = trainer_repo / "tests/stories/reviewed/test_faq-激活.yml"
    before = path.read_text(encoding="utf-8")
    other = f"{API}/conversations/web-lost-0005/test-story"
    assert_error(staff_client.post(other, json={"name": "faq-激活"}, headers=trainer), 409,
                 "story_exists")  # fmt: skip
    assert path.read_text(encoding="utf-8") == before


def _customer_event_ids(client: TestClient, headers: dict[str, str], sender: str) -> list[int]:
    body = client.get(f"{API}/conversations/{sender}", headers=headers).json()
    return [e["event_id"] for e in body["entries"] if e["kind"] == "customer"]


def test_intent_corrections(
    staff_client: TestClient, trainer: dict[str, str], trainer_repo: Path
) -> None:
    ids = _customer_event_ids(staff_client, trainer, "web-fallback-0004")
    response = staff_client.post(
        f"{API}/conversations/web-fallback-0004/test-story",
        json={"name": "fallback-corrected", "intents": {str(ids[1]): "faq/card_activation"}},
        headers=trainer,
    )
    assert response.status_code == 201, response.text
    content = response.json()["content"]
    assert "          阿巴阿巴\n        intent: nlu_fallback\n" in content
    assert "          嗯嗯那个啥来着\n        intent: faq/card_activation\n" in content


@pytest.mark.parametrize(
    ("intent", "code"),
    [
        # not in the domain
        ("transfer_money", "unknown_intent"),
        # an FAQ topic that data/faq does not have
        ("faq/bitcoin", "unknown_intent"),
    ],
)
def test_unknown_intent_is_refused(
    staff_client: TestClient, trainer: dict[str, str], trainer_repo: Path, intent: str, code: str
) -> None:
    ids = _customer_event_ids(staff_client, trainer, "web-faq-0003")
    response = staff_client.post(
        f"{API}/conversations/web-faq-0003/test-story",
        json={"name": "wrong", "intents": {str(ids[0]): intent}},
        headers=trainer,
    )
    body = assert_error(response, 422, code)
    assert body["intents"] == [intent]
    assert not (trainer_repo / "tests/stories/reviewed/test_wrong.yml").exists()


def test_correction_of_a_message_from_another_conversation(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    other = _customer_event_ids(staff_client, trainer, "web-lost-0005")[0]
    response = staff_client.post(
        f"{API}/conversations/web-faq-0003/test-story",
        json={"name": "other", "intents": {str(other): "greet"}},
        headers=trainer,
    )
    assert_error(response, 422, "message_not_in_conversation")


@pytest.mark.parametrize(
    "name",
    [
        "../../domain",  # a path
        "有 空格",  # spaces
        "x" * 61,  # too long
        ".hidden",  # not a word character
    ],
)
def test_story_name_is_validated(
    staff_client: TestClient, trainer: dict[str, str], trainer_repo: Path, name: str
) -> None:
    response = staff_client.post(
        f"{API}/conversations/web-faq-0003/test-story", json={"name": name}, headers=trainer
    )
    assert response.status_code == 422
    assert response.json()["code"] in ("story_name_invalid", "validation_error")
    assert not (trainer_repo / "tests" / "stories" / "reviewed").exists()


def test_unknown_conversation_cannot_be_saved(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    response = staff_client.post(
        f"{API}/conversations/nobody/test-story", json={"name": "nobody"}, headers=trainer
    )
    assert_error(response, 404, "conversation_not_found")


def test_handoff_story_stops_at_the_handoff(
    staff_client: TestClient, trainer: dict[str, str]
) -> None:
    response = staff_client.post(
        f"{API}/conversations/app-handoff-0007/test-story",
        json={"name": "转人工"},
        headers=trainer,
    )
    assert response.status_code == 201, response.text
    content = response.json()["content"]
    assert "# 对话转给了人工坐席" in content
    assert "action_handoff_resume" not in content and "朝阳门支行" not in content
    assert "手机[13974915678](phone_number)，帮我转人工" in content
    _no_secrets(content)
