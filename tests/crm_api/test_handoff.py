"""Human handoff: queue priority, atomic claims (real concurrent requests), permissions,
the live console feed, closing, callbacks and the staff-access audit log."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_api.accounts.models import AuditLogEntry
from crm_api.clock import UTC
from crm_api.handoff import presence, queueing
from crm_api.handoff.availability import ServiceHours
from crm_api.handoff.bot_channel import transcript_from_events
from crm_api.handoff.errors import BotChannelUnavailable
from crm_api.handoff.models import AgentPresence, CallbackRequest, Handoff, HandoffActivity
from crm_api.handoff.ws import get_session_maker
from crm_api.main import create_app
from crm_api.staff.models import StaffSession, StaffUser
from tests.crm_api.conftest import FakeClock, assert_error, make_settings
from tests.crm_api.factories import AccountFactory, CustomerFactory, TransactionFactory
from tests.crm_api.staff_helpers import login, make_staff

# T0 in the conftest is 12:00 Beijing time: inside the default 08:00-22:00 hours.


class FakeBotChannel:
    """Records what crm_api asks of the bot's channel; can be made to fail."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.resumed: list[str] = []
        self.typing: list[str] = []
        self.events: list[dict[str, Any]] = []
        self.fail = False

    def send_agent_message(
        self, conversation_id: str, *, text: str, agent_name: str, agent_id: int
    ) -> dict[str, Any]:
        if self.fail:
            raise BotChannelUnavailable()
        self.sent.append({"conversation_id": conversation_id, "text": text, "agent": agent_name})
        return {"ts": "2026-11-29T04:00:00+00:00"}

    def send_typing(self, conversation_id: str, *, agent_name: str, typing: bool) -> None:
        self.typing.append(conversation_id)

    def resume_bot(self, conversation_id: str, *, agent_name: str) -> dict[str, Any]:
        if self.fail:
            raise BotChannelUnavailable()
        self.resumed.append(conversation_id)
        return {"resumed": True}

    def tracker_events(self, conversation_id: str) -> list[dict[str, Any]]:
        return self.events


@pytest.fixture
def bot_channel(app: FastAPI) -> FakeBotChannel:
    fake = FakeBotChannel()
    app.state.bot_channel = fake
    return fake


@pytest.fixture(autouse=True)
def socket_sessions(app: FastAPI, session: Session) -> None:
    """The console socket opens short sessions; in tests they are the test's session."""

    @contextmanager
    def test_session() -> Iterator[Session]:
        yield session

    app.dependency_overrides[get_session_maker] = lambda: test_session


@pytest.fixture
def agent(session: Session, clock: FakeClock) -> StaffUser:
    staff = make_staff(session, "agent", display_name="小李")
    presence.heartbeat(session=session, staff=staff, now=clock())
    return staff


def wait(clock: FakeClock, session: Session, agent: StaffUser, seconds: float) -> None:
    """Time passes; the agent's console keeps sending heartbeats."""
    clock.advance(seconds)
    presence.heartbeat(session=session, staff=agent, now=clock())


def request_handoff(
    client: TestClient, conversation_id: str | None = None, **body: Any
) -> dict[str, Any]:
    payload = {"conversation_id": conversation_id or uuid.uuid4().hex, **body}
    response = client.post("/api/v1/handoff/requests", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


# ---- queue priority ----------------------------------------------------------------------


def test_queue_order_urgency_then_tier_then_waiting_time(
    client: TestClient, agent: StaffUser, clock: FakeClock, session: Session
) -> None:
    regular = CustomerFactory(tier="普通")
    private = CustomerFactory(tier="私行")
    first = request_handoff(client, customer_id=regular.id)  # waits longest
    wait(clock, session, agent, 60)
    private_ticket = request_handoff(client, customer_id=private.id)  # +30 points
    wait(clock, session, agent, 60)
    fraud = request_handoff(client, reason="fraud")  # anonymous, urgent
    assert fraud["position"] == 1  # fraud jumps the whole queue

    queue = client.get("/api/v1/handoff/queue", headers=login(client, agent)).json()
    assert [h["id"] for h in queue] == [
        fraud["handoff_id"],
        private_ticket["handoff_id"],
        first["handoff_id"],
    ]
    assert [h["position"] for h in queue] == [1, 2, 3]
    # names are masked in the queue (full name only after a claim)
    assert queue[1]["customer_label"] == private.name[0] + "*" * (len(private.name) - 1)
    assert queue[0]["reason_label"] == "疑似诈骗/盗刷"


def test_waiting_long_enough_beats_a_higher_tier(
    client: TestClient, agent: StaffUser, clock: FakeClock, session: Session
) -> None:
    # one priority point = one minute: a 普通 customer waiting 31 minutes is ahead of a
    # 私行 customer (30 points) who just arrived, and behind one who arrived 2 min later
    regular = request_handoff(client, customer_id=CustomerFactory(tier="普通").id)
    wait(clock, session, agent, 31 * 60)
    vip = request_handoff(client, customer_id=CustomerFactory(tier="私行").id)
    assert vip["position"] == 2
    queue = client.get("/api/v1/handoff/queue", headers=login(client, agent)).json()
    assert [h["id"] for h in queue] == [regular["handoff_id"], vip["handoff_id"]]


@pytest.mark.parametrize(
    ("reason", "tier", "points"),
    [
        ("customer_request", None, 0),  # anonymous web visitor
        ("not_understood", "金卡", 20),  # 10 + 10
        ("angry", "白金", 60),  # 40 + 20
        ("fraud", "私行", 1030),  # fraud outranks everything
    ],
)
def test_priority_points(reason: str, tier: str | None, points: int) -> None:
    assert queueing.priority_of(reason, tier) == points


def test_expected_wait_uses_handle_time_and_online_agents(
    client: TestClient, agent: StaffUser, session: Session, clock: FakeClock
) -> None:
    tickets = [request_handoff(client) for _ in range(3)]
    # default handle time 5 minutes, one agent online: 3rd in line waits ~15 minutes
    assert [t["expected_wait_minutes"] for t in tickets] == [5, 10, 15]
    presence.heartbeat(session=session, staff=make_staff(session, "agent"), now=clock())
    again = client.get(f"/api/v1/handoff/requests/{uuid.uuid4().hex}")
    assert_error(again, 404, "handoff_not_found")


def test_request_is_idempotent_and_raises_urgency(client: TestClient, agent: StaffUser) -> None:
    first = request_handoff(client, "conv-1")
    again = request_handoff(client, "conv-1", reason="fraud")
    assert again["handoff_id"] == first["handoff_id"]
    assert client.get("/api/v1/handoff/requests/conv-1").json()["position"] == 1


def test_outside_service_hours_offers_a_callback(
    client: TestClient, agent: StaffUser, clock: FakeClock, session: Session
) -> None:
    clock.now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # 23:00 in Beijing
    presence.heartbeat(session=session, staff=agent, now=clock())  # someone is still online
    ticket = request_handoff(client)
    assert ticket == {
        "status": "unavailable",
        "handoff_id": None,
        "position": None,
        "expected_wait_minutes": None,
        "unavailable_reason": "outside_hours",
        "service_hours": "08:00-22:00",
    }
    # fraud cannot wait: queued whenever someone is online
    assert request_handoff(client, reason="fraud")["status"] == "queued"


def test_fraud_outside_hours_with_nobody_online_is_outside_hours(
    client: TestClient, clock: FakeClock, session: Session
) -> None:
    clock.now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # 23:00 in Beijing
    make_staff(session, "agent")  # exists, but no heartbeat
    ticket = request_handoff(client, reason="fraud")
    assert ticket["status"] == "unavailable"
    # the window is the reason the customer is told, not "nobody online"
    assert ticket["unavailable_reason"] == "outside_hours"


def test_nobody_online_offers_a_callback(client: TestClient, session: Session) -> None:
    make_staff(session, "agent")  # exists, but no heartbeat
    ticket = request_handoff(client)
    assert ticket["status"] == "unavailable"
    assert ticket["unavailable_reason"] == "no_agents"


def test_presence_expires_without_heartbeats(
    client: TestClient, agent: StaffUser, clock: FakeClock
) -> None:
    clock.advance(46)  # HANDOFF_PRESENCE_SECONDS defaults to 45
    assert request_handoff(client)["unavailable_reason"] == "no_agents"


def test_callback_request_is_stored(client: TestClient, agent: StaffUser, session: Session) -> None:
    customer = CustomerFactory()
    response = client.post(
        "/api/v1/handoff/callbacks",
        json={
            "conversation_id": "conv-cb",
            "customer_id": customer.id,
            "preferred_time": "明天上午10点",
            "reason": "customer_request",
            "channel": "web",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone_masked"] == f"{customer.phone[:3]}****{customer.phone[-4:]}"
    assert body["preferred_time"] == "明天上午10点"
    stored = session.scalars(select(CallbackRequest)).one()
    assert stored.phone == customer.phone and stored.status == "open"
    listed = client.get("/api/v1/handoff/callbacks/open", headers=login(client, agent)).json()
    assert [c["id"] for c in listed] == [body["id"]]


# ---- claims ------------------------------------------------------------------------------


def test_claim_then_second_claim_is_refused(
    client: TestClient, agent: StaffUser, session: Session, bot_channel: FakeBotChannel
) -> None:
    other = make_staff(session, "agent")
    ticket = request_handoff(client, "conv-claim")
    claimed = client.post(
        f"/api/v1/handoff/{ticket['handoff_id']}/claim", headers=login(client, agent)
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "claimed"
    assert claimed.json()["claimed_by_name"] == "小李"
    # the customer is greeted by the agent in the chat (through the bot's channel)
    assert bot_channel.sent == [
        {
            "conversation_id": "conv-claim",
            "agent": "小李",
            "text": "您好，我是人工客服小李，已经看到您前面的对话内容，马上为您处理。",
        }
    ]
    second = client.post(
        f"/api/v1/handoff/{ticket['handoff_id']}/claim", headers=login(client, other)
    )
    assert_error(second, 409, "handoff_already_claimed")
    assert client.get("/api/v1/handoff/queue", headers=login(client, other)).json() == []


@pytest.fixture
def real_app(database_url: str) -> Iterator[tuple[FastAPI, Any]]:
    """An app on the real test database (no rolled-back session): requests really race."""
    app = create_app(make_settings(database_url))
    app.state.bot_channel = FakeBotChannel()
    factory = app.state.session_factory
    yield app, factory
    with factory() as session:
        ids = [
            h.id
            for h in session.scalars(select(Handoff).where(Handoff.conversation_id.like("race-%")))
        ]
        session.execute(delete(HandoffActivity).where(HandoffActivity.handoff_id.in_(ids)))
        session.execute(delete(Handoff).where(Handoff.id.in_(ids)))
        staff_ids = [
            s.id
            for s in session.scalars(select(StaffUser).where(StaffUser.username.like("race_%")))
        ]
        session.execute(delete(AgentPresence).where(AgentPresence.staff_id.in_(staff_ids)))
        session.execute(delete(StaffSession).where(StaffSession.staff_id.in_(staff_ids)))
        session.execute(delete(StaffUser).where(StaffUser.id.in_(staff_ids)))
        session.commit()
    app.state.engine.dispose()


def test_concurrent_claims_exactly_one_wins(real_app: Any) -> None:
    app, factory = real_app
    suffix = uuid.uuid4().hex[:6]
    with factory() as session:
        agents = [make_staff(session, "agent", username=f"race_{suffix}_{i}") for i in range(6)]
        now = datetime.now(UTC)
        for staff in agents:
            presence.heartbeat(session=session, staff=staff, now=now)
        handoff = queueing.request_handoff(
            session=session,
            now=now,
            conversation_id=f"race-{suffix}",
            customer_id=None,
            channel="web",
            reason="customer_request",
            last_message="转人工",
        )
        session.commit()
        handoff_id = handoff.id
    results: list[Any] = [None] * len(agents)
    with TestClient(app) as client:
        tokens = [login(client, staff) for staff in agents]
        barrier = threading.Barrier(len(agents))

        def claim(i: int) -> None:
            barrier.wait()
            results[i] = client.post(f"/api/v1/handoff/{handoff_id}/claim", headers=tokens[i])

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(agents))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (len(agents) - 1), [r.text for r in results]
    for response in results:
        if response.status_code == 409:
            assert_error(response, 409, "handoff_already_claimed")
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    with factory() as session:
        stored = session.get(Handoff, handoff_id)
        assert stored is not None and stored.claimed_by == agents[winner].id
        claims = session.scalars(
            select(HandoffActivity).where(
                HandoffActivity.handoff_id == handoff_id, HandoffActivity.kind == "claimed"
            )
        ).all()
        assert len(claims) == 1


# ---- permissions ---------------------------------------------------------------------------


@pytest.fixture
def claimed(client: TestClient, agent: StaffUser, bot_channel: FakeBotChannel) -> dict[str, Any]:
    customer = CustomerFactory(tier="金卡")
    account = AccountFactory(customer=customer)
    TransactionFactory(account=account)
    ticket = request_handoff(client, "conv-perm", customer_id=customer.id)
    headers = login(client, agent)
    response = client.post(f"/api/v1/handoff/{ticket['handoff_id']}/claim", headers=headers)
    assert response.status_code == 200
    return {
        "id": ticket["handoff_id"],
        "headers": headers,
        "customer": customer,
        "card_number": account.number,
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "", None),
        ("GET", "/transcript", None),
        ("GET", "/customer", None),
        ("POST", "/messages", {"text": "您好"}),
        ("POST", "/notes", {"body": "备注"}),
        ("POST", "/transfer", {"to_staff_id": None}),
        ("POST", "/close", {"summary": "x", "disposition": "resolved"}),
    ],
)
def test_an_agent_without_the_claim_can_neither_read_nor_write(
    client: TestClient,
    session: Session,
    claimed: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    other = make_staff(session, "agent")
    response = client.request(
        method, f"/api/v1/handoff/{claimed['id']}{path}", json=body, headers=login(client, other)
    )
    assert_error(response, 403, "handoff_not_yours")


def test_login_and_role_are_required(
    anonymous_client: TestClient, client: TestClient, session: Session, claimed: dict[str, Any]
) -> None:
    # no session at all (the service token is not a staff session)
    assert_error(anonymous_client.get("/api/v1/handoff/queue"), 401, "not_authenticated")
    assert_error(
        anonymous_client.get(f"/api/v1/handoff/{claimed['id']}/transcript"),
        401,
        "not_authenticated",
    )
    # trainers improve the bot; they do not take conversations
    trainer = make_staff(session, "trainer")
    assert_error(
        client.get("/api/v1/handoff/queue", headers=login(client, trainer)), 403, "forbidden"
    )
    # the bot's endpoints need the service token, not a staff session
    response = anonymous_client.post(
        "/api/v1/handoff/requests", json={"conversation_id": "x"}, headers=claimed["headers"]
    )
    assert_error(response, 401, "unauthorized")
    # supervisors only: the overview
    assert_error(
        client.get("/api/v1/handoff/stats/overview", headers=claimed["headers"]), 403, "forbidden"
    )


def test_supervisor_may_read_but_not_write(
    client: TestClient, session: Session, claimed: dict[str, Any], bot_channel: FakeBotChannel
) -> None:
    supervisor = make_staff(session, "supervisor", branch="总行")
    headers = login(client, supervisor)
    assert (
        client.get(f"/api/v1/handoff/{claimed['id']}/transcript", headers=headers).status_code
        == 200
    )
    response = client.post(
        f"/api/v1/handoff/{claimed['id']}/messages", json={"text": "hi"}, headers=headers
    )
    assert_error(response, 403, "handoff_not_yours")


# ---- the claimed conversation ---------------------------------------------------------


def test_customer_360_is_masked_and_audited(
    client: TestClient, session: Session, claimed: dict[str, Any], agent: StaffUser
) -> None:
    response = client.get(f"/api/v1/handoff/{claimed['id']}/customer", headers=claimed["headers"])
    assert response.status_code == 200, response.text
    body = response.json()
    customer = claimed["customer"]
    sections = body["sections"]
    assert sections["profile"]["name"] == customer.name
    assert sections["profile"]["tier"] == "金卡"
    assert sections["profile"]["phone"] == f"{customer.phone[:3]}****{customer.phone[-4:]}"
    assert sections["accounts"][0]["label"] == f"储蓄卡尾号{claimed['card_number'][-4:]}"
    assert claimed["card_number"] not in response.text
    assert len(sections["transactions"]) == 1
    for key in ("complaints", "satisfaction", "holdings", "recommendations"):
        assert key in sections
    audit = session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "handoff.view_customer")
    ).all()
    assert len(audit) == 1
    assert audit[0].actor == f"staff:{agent.username}"
    assert audit[0].reference == f"HO{claimed['id']}"
    assert audit[0].detail["customer_id"] == customer.id


def test_transcript_has_every_turn_with_understanding_and_is_audited(
    client: TestClient, session: Session, claimed: dict[str, Any], bot_channel: FakeBotChannel
) -> None:
    bot_channel.events = [
        {
            "event": "user",
            "text": "转人工",
            "timestamp": 1.0,
            "parse_data": {"intent": {"name": "request_human", "confidence": 0.97}},
        },
        {"event": "bot", "text": "已为您转接人工客服", "timestamp": 2.0, "metadata": {}},
        {"event": "pause", "timestamp": 2.1},
        {"event": "bot", "text": "您好，我是小李", "timestamp": 3.0, "metadata": {"agent": "小李"}},
    ]
    response = client.get(f"/api/v1/handoff/{claimed['id']}/transcript", headers=claimed["headers"])
    entries = response.json()["entries"]
    assert [(e["from"], e["text"]) for e in entries] == [
        ("customer", "转人工"),
        ("bot", "已为您转接人工客服"),
        ("system", "转人工"),
        ("agent", "您好，我是小李"),
    ]
    assert entries[0]["intent"] == "request_human" and entries[0]["confidence"] == 0.97
    assert session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "handoff.view_transcript")
    ).one()


def test_transcript_conversion_skips_empty_events() -> None:
    assert transcript_from_events([{"event": "user", "text": None}, {"event": "action"}]) == []


def test_agent_message_goes_through_the_bot_channel(
    client: TestClient, claimed: dict[str, Any], bot_channel: FakeBotChannel
) -> None:
    response = client.post(
        f"/api/v1/handoff/{claimed['id']}/messages",
        json={"text": " 请稍等，我马上为您查询。 "},
        headers=claimed["headers"],
    )
    assert response.status_code == 201
    assert response.json()["agent"] == "小李"
    assert bot_channel.sent[-1] == {
        "conversation_id": "conv-perm",
        "agent": "小李",
        "text": "请稍等，我马上为您查询。",
    }


def test_notes_and_transfer(
    client: TestClient, session: Session, clock: FakeClock, claimed: dict[str, Any]
) -> None:
    note = client.post(
        f"/api/v1/handoff/{claimed['id']}/notes",
        json={"body": "客户很着急"},
        headers=claimed["headers"],
    )
    assert note.status_code == 201
    colleague = make_staff(session, "agent", display_name="小王")
    offline = make_staff(session, "agent")
    refused = client.post(
        f"/api/v1/handoff/{claimed['id']}/transfer",
        json={"to_staff_id": offline.id},
        headers=claimed["headers"],
    )
    assert_error(refused, 422, "transfer_target_invalid")
    presence.heartbeat(session=session, staff=colleague, now=clock())
    moved = client.post(
        f"/api/v1/handoff/{claimed['id']}/transfer",
        json={"to_staff_id": colleague.id, "note": "信用卡问题"},
        headers=claimed["headers"],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["claimed_by_name"] == "小王"
    kinds = [a["kind"] for a in moved.json()["activities"]]
    assert kinds == ["queued", "claimed", "note", "transferred"]
    # the first agent has lost access; the colleague has it
    assert_error(
        client.get(f"/api/v1/handoff/{claimed['id']}/customer", headers=claimed["headers"]),
        403,
        "handoff_not_yours",
    )
    assert (
        client.get(
            f"/api/v1/handoff/{claimed['id']}/customer", headers=login(client, colleague)
        ).status_code
        == 200
    )


def test_transfer_back_to_the_queue(client: TestClient, claimed: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/handoff/{claimed['id']}/transfer", json={}, headers=claimed["headers"]
    )
    assert response.json()["status"] == "waiting"
    queue = client.get("/api/v1/handoff/queue", headers=claimed["headers"]).json()
    assert [h["id"] for h in queue] == [claimed["id"]]


def test_close_resumes_the_bot_and_stores_summary(
    client: TestClient, session: Session, claimed: dict[str, Any], bot_channel: FakeBotChannel
) -> None:
    bad = client.post(
        f"/api/v1/handoff/{claimed['id']}/close",
        json={"summary": "已解答", "disposition": "nonsense"},
        headers=claimed["headers"],
    )
    assert_error(bad, 422, "invalid_disposition")
    bot_channel.fail = True
    failed = client.post(
        f"/api/v1/handoff/{claimed['id']}/close",
        json={"summary": "已解答", "disposition": "info_provided"},
        headers=claimed["headers"],
    )
    assert_error(failed, 502, "bot_channel_unavailable")
    assert session.get(Handoff, claimed["id"]).status == "claimed"  # type: ignore[union-attr]
    bot_channel.fail = False
    closed = client.post(
        f"/api/v1/handoff/{claimed['id']}/close",
        json={"summary": "客户询问转账限额，已解答", "disposition": "info_provided"},
        headers=claimed["headers"],
    )
    assert closed.status_code == 200, closed.text
    assert bot_channel.resumed == ["conv-perm"]
    stored = session.get(Handoff, claimed["id"])
    assert stored is not None
    assert (stored.status, stored.disposition, stored.summary) == (
        "closed",
        "info_provided",
        "客户询问转账限额，已解答",
    )
    again = client.post(
        f"/api/v1/handoff/{claimed['id']}/messages", json={"text": "x"}, headers=claimed["headers"]
    )
    assert_error(again, 409, "handoff_closed")


def test_supervisor_overview(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    claimed: dict[str, Any],
    agent: StaffUser,
) -> None:
    request_handoff(client)
    wait(clock, session, agent, 90)
    supervisor = make_staff(session, "supervisor", branch="总行")
    presence.heartbeat(session=session, staff=supervisor, now=clock())
    client.post(
        f"/api/v1/handoff/{claimed['id']}/close",
        json={"summary": "好", "disposition": "resolved"},
        headers=claimed["headers"],
    )
    stats = client.get("/api/v1/handoff/stats/overview", headers=login(client, supervisor)).json()
    assert stats["queue_length"] == 1
    assert stats["longest_wait_seconds"] == 90
    assert stats["handled_today"] == 1
    by_name = {a["display_name"]: a for a in stats["agents"]}
    assert by_name["小李"]["handled_today"] == 1


# ---- live feed --------------------------------------------------------------------------


def test_console_feed_delivers_customer_messages_only_to_the_claim_holder(
    client: TestClient, session: Session, claimed: dict[str, Any], app: FastAPI
) -> None:
    other = make_staff(session, "agent")
    session.commit()
    mine = claimed["headers"]["Authorization"].split()[1]
    theirs = login(client, other)["Authorization"].split()[1]
    with (
        client.websocket_connect(f"/api/v1/handoff/ws?token={mine}") as ws_mine,
        client.websocket_connect(f"/api/v1/handoff/ws?token={theirs}") as ws_theirs,
    ):
        # connected: a heartbeat is acknowledged (presence changes go to supervisors only)
        ws_mine.send_json({"type": "heartbeat"})
        assert ws_mine.receive_json()["type"] == "heartbeat_ack"
        response = client.post(
            "/api/v1/handoff/conversations/conv-perm/events",
            json={
                "type": "message",
                "text": "我的卡被盗刷了",
                "intent": "report_fraud",
                "confidence": 0.91,
            },
        )
        assert response.status_code == 202
        event = ws_mine.receive_json()
        while event["type"] != "message":
            event = ws_mine.receive_json()
        assert event["handoff_id"] == claimed["id"]
        assert event["entry"]["text"] == "我的卡被盗刷了"
        assert event["entry"]["intent"] == "report_fraud"
        # the other agent gets nothing about this conversation: a heartbeat ack comes first
        ws_theirs.send_json({"type": "heartbeat"})
        assert ws_theirs.receive_json()["type"] == "heartbeat_ack"


def test_console_feed_refuses_without_a_session(anonymous_client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect) as refused,
        anonymous_client.websocket_connect("/api/v1/handoff/ws") as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 4401


def test_customer_events_for_unknown_conversation(client: TestClient) -> None:
    response = client.post("/api/v1/handoff/conversations/nope/events", json={"type": "typing"})
    assert_error(response, 404, "handoff_not_found")


def test_service_hours_parsing() -> None:
    hours = ServiceHours.parse("00:00-24:00")
    assert hours.is_open(datetime(2026, 11, 29, 15, 59, tzinfo=UTC))
    day = ServiceHours.parse("08:00-22:00")
    assert not day.is_open(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # 07:30 Beijing
    assert day.is_open(datetime(2026, 11, 29, 0, 0, tzinfo=UTC))  # 08:00 Beijing
    assert day.label() == "08:00-22:00"
