"""The web-chat channel during a human handoff: agent messages are appended to the tracker
and pushed to the customer's page; customer messages while paused go to crm_api; closing
resumes the bot. Served by a real Sanic app through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.channels.handoff import paused_before_latest_message
from bot.channels.push import PushHub
from bot.channels.webchat import WebChatInput

WEBCHAT_SECRET = "test-webchat-secret-0123456789abcdef"
APP_SECRET = "test-app-secret-0123456789abcdef"
AGENT_TOKEN = "test-rasa-token-0123456789"
CRM = "http://crm.test"
SERVICE_TOKEN = "test-service-token"
BASE = "/webhooks/webchat"


class FakeProcessor:
    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.tracker_store = store
        self.domain = Domain.empty()

    async def get_tracker(self, sender_id: str) -> DialogueStateTracker:
        return await self.tracker_store.get_or_create_tracker(sender_id)

    async def save_tracker(self, tracker: DialogueStateTracker) -> None:
        await self.tracker_store.save(tracker)


class FakeAgent:
    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.lock_store = InMemoryLockStore()
        self.processor = FakeProcessor(self.tracker_store)

    def is_ready(self) -> bool:
        return True


class PausedBot:
    """Logs the customer's message like Rasa does while paused: no reply, no action."""

    def __init__(self, agent: FakeAgent) -> None:
        self.agent = agent

    async def __call__(self, message: UserMessage) -> None:
        tracker = await self.agent.processor.get_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, intent={"name": "inform", "confidence": 0.8}))
        await self.agent.processor.save_tracker(tracker)


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


@pytest.fixture()
def agent() -> FakeAgent:
    return FakeAgent()


@pytest.fixture()
def channel() -> WebChatInput:
    return WebChatInput(
        WEBCHAT_SECRET,
        APP_SECRET,
        agent_token=AGENT_TOKEN,
        crm_url=CRM,
        crm_service_token=SERVICE_TOKEN,
    )


@pytest.fixture()
async def client(channel: WebChatInput, agent: FakeAgent) -> AsyncIterator[httpx.AsyncClient]:
    app = Sanic(f"handoff_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(PausedBot(agent)), url_prefix=BASE)
    app.ctx.agent = agent
    Sanic.test_mode = True
    await app._startup()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bank.test") as http:
        yield http


async def start_handoff(client: httpx.AsyncClient, agent: FakeAgent) -> dict[str, Any]:
    """A web session whose conversation the bot has just handed over (paused)."""
    session = (await client.post(f"{BASE}/session", json={})).json()
    tracker = DialogueStateTracker.from_events(
        session["sender_id"],
        [
            ActionExecuted("action_listen"),
            UserUttered("转人工", intent={"name": "request_human", "confidence": 0.99}),
            ActionExecuted("action_handoff"),
            BotUttered("已为您转接人工客服，您现在排在第1位"),
            ConversationPaused(),
        ],
    )
    await agent.tracker_store.save(tracker)
    return session


def agent_auth(token: str = AGENT_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_agent_message_is_appended_and_pushed(
    client: httpx.AsyncClient, agent: FakeAgent, channel: WebChatInput
) -> None:
    session = await start_handoff(client, agent)
    sender = session["sender_id"]
    page = FakeSocket()
    channel.push.add(sender, page)
    response = await client.post(
        f"{BASE}/agent/{sender}/messages",
        json={"text": "您好，我是小李", "agent": "小李", "agent_id": 7},
        headers=agent_auth(),
    )
    assert response.status_code == 200, response.text
    tracker = await agent.tracker_store.retrieve(sender)
    last = tracker.events[-1]
    assert isinstance(last, BotUttered)
    assert last.text == "您好，我是小李"
    assert last.metadata == {"agent": "小李", "agent_id": 7}
    assert page.sent == [
        {
            "type": "message",
            "from": "agent",
            "agent": "小李",
            "text": "您好，我是小李",
            "ts": response.json()["ts"],
        }
    ]
    # after a reload the page shows the agent's message as the agent's, and the handoff
    history = await client.get(
        f"{BASE}/history", headers={"Authorization": f"Bearer {session['session_token']}"}
    )
    body = history.json()
    assert body["messages"][-1]["from"] == "agent"
    assert body["messages"][-1]["agent"] == "小李"
    assert body["handoff"] == {"active": True, "agent": "小李"}


async def test_agent_routes_need_the_token(client: httpx.AsyncClient, agent: FakeAgent) -> None:
    session = await start_handoff(client, agent)
    for token in (None, "wrong-token", WEBCHAT_SECRET):
        headers = agent_auth(token) if token else {}
        response = await client.post(
            f"{BASE}/agent/{session['sender_id']}/messages",
            json={"text": "hi", "agent": "x"},
            headers=headers,
        )
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"


async def test_agent_cannot_write_into_a_conversation_the_bot_is_running(
    client: httpx.AsyncClient, agent: FakeAgent
) -> None:
    session = (await client.post(f"{BASE}/session", json={})).json()
    response = await client.post(
        f"{BASE}/agent/{session['sender_id']}/messages",
        json={"text": "hi", "agent": "小李"},
        headers=agent_auth(),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_handoff"


@respx.mock
async def test_customer_message_while_paused_goes_to_the_console(
    client: httpx.AsyncClient, agent: FakeAgent
) -> None:
    route = respx.post(url__regex=rf"{CRM}/api/v1/handoff/conversations/.+/events").mock(
        return_value=httpx.Response(202, json={"status": "accepted"})
    )
    session = await start_handoff(client, agent)
    response = await client.post(
        f"{BASE}/messages",
        json={"text": "卡号6222021234567890123被盗刷了"},
        headers={"Authorization": f"Bearer {session['session_token']}"},
    )
    assert response.status_code == 200
    assert response.json() == {"messages": [], "handoff": {"active": True, "agent": None}}
    for _ in range(50):  # forwarded in the background so the customer is not kept waiting
        if route.called:
            break
        await asyncio.sleep(0.02)
    assert route.call_count == 1
    request = route.calls[0].request
    assert request.url.path == f"/api/v1/handoff/conversations/{session['sender_id']}/events"
    assert request.headers["Authorization"] == f"Bearer {SERVICE_TOKEN}"
    body = json.loads(request.content)
    assert body["type"] == "message"
    assert "6222021234567890123" not in body["text"]  # card numbers are masked
    assert body["intent"] == "inform" and body["confidence"] == 0.8


async def test_close_resumes_the_bot_and_tells_the_page(
    client: httpx.AsyncClient, agent: FakeAgent, channel: WebChatInput
) -> None:
    session = await start_handoff(client, agent)
    sender = session["sender_id"]
    page = FakeSocket()
    channel.push.add(sender, page)
    response = await client.post(
        f"{BASE}/agent/{sender}/close", json={"agent": "小李"}, headers=agent_auth()
    )
    assert response.json() == {"resumed": True, "messages": []}
    tracker = await agent.tracker_store.retrieve(sender)
    assert not tracker.is_paused()
    assert isinstance(tracker.events[-2], ConversationResumed)
    assert tracker.events[-1] == ActionExecuted("action_listen")
    assert page.sent == [{"type": "handoff", "state": "ended", "messages": []}]
    again = await client.post(f"{BASE}/agent/{sender}/close", json={}, headers=agent_auth())
    assert again.json()["resumed"] is False  # idempotent


async def test_agent_typing_is_pushed(
    client: httpx.AsyncClient, agent: FakeAgent, channel: WebChatInput
) -> None:
    page = FakeSocket()
    channel.push.add("conv-t", page)
    await client.post(
        f"{BASE}/agent/conv-t/typing", json={"agent": "小李", "typing": True}, headers=agent_auth()
    )
    assert page.sent == [{"type": "typing", "from": "agent", "agent": "小李", "typing": True}]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # the message that asked for the human came before the pause: not for the agent
        ([UserUttered("转人工"), ConversationPaused()], False),
        # a message after the pause is for the agent
        ([UserUttered("转人工"), ConversationPaused(), UserUttered("在吗")], True),
        # after the agent closed, the bot has it again
        ([ConversationPaused(), UserUttered("a"), ConversationResumed(), UserUttered("b")], False),
        ([], False),
    ],
)
def test_which_messages_belong_to_the_agent(events: list[Any], expected: bool) -> None:
    assert paused_before_latest_message(events) is expected


async def test_push_fans_out_across_instances_through_redis() -> None:
    redis_url = "redis://127.0.0.1:6379/0"
    try:
        import redis.asyncio as aioredis

        probe = aioredis.from_url(redis_url)
        await probe.ping()
        await probe.close()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis not reachable: {exc}")
    instance_a, instance_b = PushHub(redis_url), PushHub(redis_url)
    await instance_a.start()
    await instance_b.start()
    try:
        page = FakeSocket()
        instance_b.add("conv-r", page)  # the customer's socket is on instance B
        await asyncio.sleep(0.2)  # subscriptions settle
        await instance_a.publish("conv-r", {"type": "message", "text": "您好"})
        for _ in range(100):
            if page.sent:
                break
            await asyncio.sleep(0.02)
        assert page.sent == [{"type": "message", "text": "您好"}]
    finally:
        await instance_a.stop()
        await instance_b.stop()
