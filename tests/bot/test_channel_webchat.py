"""The webchat channel, served by a real Sanic app through httpx's ASGI transport.

`on_new_message` is a fake that records the UserMessage and answers through the output
channel, so these tests need no trained model.
"""

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sanic import Sanic

from bot.channels.webchat import WebChatInput

WEBCHAT_SECRET = "test-webchat-secret-0123456789abcdef"
APP_SECRET = "test-app-secret-0123456789abcdef"
BASE = "/webhooks/webchat"


def app_token(
    sub: str = "42", *, secret: str = APP_SECRET, exp_in: int = 3600, **extra: Any
) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iss": "demo-app", "iat": now, "exp": now + exp_in, **extra}
    return jwt.encode(claims, secret, algorithm="HS256")


async def start(app: Sanic) -> None:
    """Finalises routes and signals, as the server (or the ASGI lifespan) does on start."""
    Sanic.test_mode = True  # lets several apps start in one process (sanic's touch-up)
    await app._startup()


class FakeAgent:
    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())

    def is_ready(self) -> bool:
        return True


class Bot:
    """Records messages and echoes them, offering a button."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_response(
            message.sender_id,
            {"text": f"收到：{message.text}", "buttons": [{"title": "是的", "payload": "/affirm"}]},
        )
        await message.output_channel.send_response(message.sender_id, {"text": "第一段\n\n第二段"})


@pytest.fixture()
def bot() -> Bot:
    return Bot()


@pytest.fixture()
def agent() -> FakeAgent:
    return FakeAgent()


@pytest.fixture()
async def client(bot: Bot, agent: FakeAgent) -> AsyncIterator[httpx.AsyncClient]:
    channel = WebChatInput(WEBCHAT_SECRET, APP_SECRET)
    app = Sanic(f"webchat_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(bot), url_prefix=BASE)
    app.ctx.agent = agent
    await start(app)  # finalises routes; done by the server (or ASGI lifespan) in production
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bank.test") as http:
        yield http


async def new_session(
    client: httpx.AsyncClient, token: str | None = None, body: dict | None = None
) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(f"{BASE}/session", json=body or {}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(session: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['session_token']}"}


async def test_page_and_static_files(client: httpx.AsyncClient) -> None:
    page = await client.get(f"{BASE}/")
    assert page.status_code == 200
    assert "智能客服" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    js = await client.get(f"{BASE}/static/chat.js")
    assert js.status_code == 200
    assert "textContent" in js.text and "innerHTML" not in js.text
    assert (await client.get(f"{BASE}/static/chat.css")).status_code == 200
    redirect = await client.get(BASE, follow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["location"] == f"{BASE}/"


async def test_anonymous_session(client: httpx.AsyncClient) -> None:
    session = await new_session(client)
    assert session["channel"] == "web"
    assert session["resumed"] is False
    assert len(session["sender_id"]) == 32 and int(session["sender_id"], 16) >= 0
    claims = jwt.decode(
        session["session_token"], WEBCHAT_SECRET, algorithms=["HS256"], audience="webchat-session"
    )
    assert claims["sub"] == session["sender_id"]
    assert claims["ch"] == "web"
    assert 86000 < claims["exp"] - claims["iat"] <= 86400
    other = await new_session(client)
    assert other["sender_id"] != session["sender_id"]


async def test_resume_keeps_sender_id(client: httpx.AsyncClient) -> None:
    first = await new_session(client)
    again = await new_session(client, body={"session_token": first["session_token"]})
    assert again["sender_id"] == first["sender_id"]
    assert again["resumed"] is True


@pytest.mark.parametrize(
    "old_token",
    [
        # signed with another key
        jwt.encode(
            {
                "sub": "victim",
                "ch": "web",
                "exp": int(time.time()) + 60,
                "aud": "webchat-session",
                "iss": "bank-assistant-webchat",
            },
            "wrong-secret-0123456789abcdef",
            algorithm="HS256",
        ),
        # expired
        jwt.encode(
            {
                "sub": "victim",
                "ch": "web",
                "exp": int(time.time()) - 60,
                "aud": "webchat-session",
                "iss": "bank-assistant-webchat",
            },
            WEBCHAT_SECRET,
            algorithm="HS256",
        ),
        # not a JWT at all
        "garbage",
    ],
)
async def test_resume_with_bad_token_starts_new_conversation(
    client: httpx.AsyncClient, old_token: str
) -> None:
    session = await new_session(client, body={"session_token": old_token})
    assert session["sender_id"] != "victim"
    assert session["resumed"] is False


async def test_app_session_and_metadata(client: httpx.AsyncClient, bot: Bot) -> None:
    token = app_token("42")
    session = await new_session(client, token)
    assert session["channel"] == "app"
    claims = jwt.decode(
        session["session_token"], WEBCHAT_SECRET, algorithms=["HS256"], audience="webchat-session"
    )
    assert claims["customer_id"] == "42" and claims["ch"] == "app"

    response = await client.post(
        f"{BASE}/messages",
        json={
            "text": "查余额",
            "metadata": {"channel": "web", "identity_token": "forged", "customer_id": 1},
        },
        headers=bearer(session),
    )
    assert response.status_code == 200, response.text
    message = bot.received[-1]
    assert message.metadata == {"channel": "app", "identity_token": token}
    assert message.sender_id == session["sender_id"]
    assert message.input_channel == "webchat"


async def test_web_message_metadata_ignores_client(client: httpx.AsyncClient, bot: Bot) -> None:
    session = await new_session(client)
    response = await client.post(
        f"{BASE}/messages",
        json={
            "text": "  查流水  ",
            "sender": "someone-else",
            "metadata": {"identity_token": app_token("1")},
        },
        headers=bearer(session),
    )
    assert response.status_code == 200
    message = bot.received[-1]
    assert message.metadata == {"channel": "web"}
    assert message.sender_id == session["sender_id"]
    assert message.text == "查流水"
    assert response.json() == {
        "messages": [
            {"text": "收到：查流水", "buttons": [{"title": "是的", "payload": "/affirm"}]},
            {"text": "第一段", "buttons": []},
            {"text": "第二段", "buttons": []},
        ]
    }


@pytest.mark.parametrize(
    "token",
    [
        # wrong signing key
        app_token(secret="not-the-app-secret-0123456789"),
        # expired long ago
        app_token(exp_in=-3600),
        # one of our own session tokens is not an app token (has an audience)
        jwt.encode(
            {
                "sub": "1",
                "iss": "x",
                "iat": 1,
                "exp": int(time.time()) + 60,
                "aud": "webchat-session",
            },
            APP_SECRET,
            algorithm="HS256",
        ),
        # no subject
        jwt.encode(
            {"iss": "demo-app", "iat": int(time.time()), "exp": int(time.time()) + 60},
            APP_SECRET,
            algorithm="HS256",
        ),
        # alg=none
        jwt.encode(
            {"sub": "1", "iss": "demo-app", "iat": int(time.time()), "exp": int(time.time()) + 60},
            None,
            algorithm="none",
        ),
    ],
)
async def test_invalid_app_token_is_401(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(
        f"{BASE}/session", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_app_token",
        "detail": "登录已失效，请重新登录 / invalid app token",
    }


async def test_app_session_resumes_only_for_same_customer(client: httpx.AsyncClient) -> None:
    first = await new_session(client, app_token("42"))
    same = await new_session(
        client, app_token("42"), body={"session_token": first["session_token"]}
    )
    other = await new_session(
        client, app_token("43"), body={"session_token": first["session_token"]}
    )
    assert same["sender_id"] == first["sender_id"]
    assert other["sender_id"] != first["sender_id"]
    # an anonymous web session is not upgraded into an app conversation
    web = await new_session(client)
    app = await new_session(client, app_token("42"), body={"session_token": web["session_token"]})
    assert app["sender_id"] != web["sender_id"]


async def test_expired_app_identity_rejects_messages(client: httpx.AsyncClient, bot: Bot) -> None:
    # the app token inside a still-valid session token has expired since the session began
    session = await new_session(client, app_token("42"))
    claims = jwt.decode(
        session["session_token"], WEBCHAT_SECRET, algorithms=["HS256"], audience="webchat-session"
    )
    claims["app_token"] = app_token("42", exp_in=-3600)
    stale = jwt.encode(claims, WEBCHAT_SECRET, algorithm="HS256")
    response = await client.post(
        f"{BASE}/messages", json={"text": "查余额"}, headers={"Authorization": f"Bearer {stale}"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_app_token"
    assert bot.received == []


@pytest.mark.parametrize(
    ("body", "status", "code", "detail"),
    [
        # whitespace only
        ({"text": "  \n "}, 422, "empty_message", "请输入您要咨询的内容 / empty message"),
        # missing text
        ({}, 422, "empty_message", "请输入您要咨询的内容 / empty message"),
        # 1001 characters
        (
            {"text": "查" * 1001},
            413,
            "message_too_long",
            "您的消息太长了，请精简到1000字以内再发送 / message too long",
        ),
        # not a string
        ({"text": 123}, 422, "invalid_body", "消息格式错误 / text must be a string"),
        # only slashes: nothing left after stripping the shortcut prefix
        ({"text": "//"}, 422, "empty_message", "请输入您要咨询的内容 / empty message"),
    ],
)
async def test_message_validation(
    client: httpx.AsyncClient, bot: Bot, body: dict, status: int, code: str, detail: str
) -> None:
    session = await new_session(client)
    response = await client.post(f"{BASE}/messages", json=body, headers=bearer(session))
    assert response.status_code == status
    assert response.json() == {"code": code, "detail": detail}
    assert bot.received == []


async def test_exactly_1000_characters_is_accepted(client: httpx.AsyncClient, bot: Bot) -> None:
    session = await new_session(client)
    response = await client.post(
        f"{BASE}/messages", json={"text": "查" * 1000}, headers=bearer(session)
    )
    assert response.status_code == 200
    assert len(bot.received[-1].text) == 1000


@pytest.mark.parametrize(
    "headers",
    [
        # no token
        {},
        # not a bearer token
        {"Authorization": "Basic abc"},
        # an app token is not a session token
        {"Authorization": f"Bearer {app_token()}"},
        # forged session token
        {
            "Authorization": "Bearer "
            + jwt.encode(
                {
                    "sub": "x",
                    "ch": "web",
                    "exp": int(time.time()) + 60,
                    "aud": "webchat-session",
                    "iss": "bank-assistant-webchat",
                },
                "forged-secret-0123456789abcdef",
                algorithm="HS256",
            )
        },
    ],
)
async def test_missing_or_invalid_session_is_401(
    client: httpx.AsyncClient, bot: Bot, headers: dict
) -> None:
    for method, path in (("POST", "messages"), ("GET", "history")):
        response = await client.request(
            method,
            f"{BASE}/{path}",
            json={"text": "hi"} if method == "POST" else None,
            headers=headers,
        )
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_session"
    assert bot.received == []


@pytest.mark.parametrize(
    ("text", "reaches_rasa_as"),
    [
        # allow-listed intent, no entities
        ("/affirm", "/affirm"),
        # allow-listed intent with a JSON entity object
        ('/give_rating{"rating": 5}', '/give_rating{"rating": 5}'),
        # not allow-listed: /restart would end a human handoff
        ("/restart", "restart"),
        # not allow-listed, with injected entities
        ('/bot_challenge{"customer_id": "1"}', 'bot_challenge{"customer_id": "1"}'),
        # allow-listed intent but entities are not a JSON object
        ("/inform{oops}", "inform{oops}"),
        # confidence syntax is not a button payload
        ("/affirm@0.99", "affirm@0.99"),
        # several slashes are all stripped
        ("//restart", "restart"),
    ],
)
async def test_intent_shortcuts(
    client: httpx.AsyncClient, bot: Bot, text: str, reaches_rasa_as: str
) -> None:
    session = await new_session(client)
    response = await client.post(f"{BASE}/messages", json={"text": text}, headers=bearer(session))
    assert response.status_code == 200
    assert bot.received[-1].text == reaches_rasa_as


async def test_payload_offered_by_the_bot_is_allowed(
    client: httpx.AsyncClient, bot: Bot, agent: FakeAgent
) -> None:
    session = await new_session(client)
    tracker = DialogueStateTracker.from_events(
        session["sender_id"],
        [
            ActionExecuted("action_listen"),
            UserUttered("挂失"),
            BotUttered(
                "请选择要挂失的卡片",
                data={
                    "buttons": [{"title": "尾号7890", "payload": '/choose_card{"last4": "7890"}'}]
                },
            ),
        ],
    )
    await agent.tracker_store.save(tracker)
    response = await client.post(
        f"{BASE}/messages", json={"text": '/choose_card{"last4": "7890"}'}, headers=bearer(session)
    )
    assert response.status_code == 200
    assert bot.received[-1].text == '/choose_card{"last4": "7890"}'
    # a payload that was not offered is flattened
    await client.post(
        f"{BASE}/messages", json={"text": '/choose_card{"last4": "1111"}'}, headers=bearer(session)
    )
    assert bot.received[-1].text == 'choose_card{"last4": "1111"}'


async def test_history_returns_visible_transcript(
    client: httpx.AsyncClient, agent: FakeAgent
) -> None:
    session = await new_session(client)
    sender_id = session["sender_id"]
    tracker = DialogueStateTracker.from_events(
        sender_id,
        [
            ActionExecuted("action_listen"),
            UserUttered("查余额", timestamp=1_764_400_000.0),
            ActionExecuted("utter_ask"),
            BotUttered("请问查询哪张卡？\n\n您也可以说尾号", data={}, timestamp=1_764_400_001.0),
            BotUttered(
                "确认吗？",
                data={"buttons": [{"title": "是的", "payload": "/affirm"}]},
                timestamp=1_764_400_002.0,
            ),
            UserUttered("/affirm", timestamp=1_764_400_003.0),
            BotUttered(None, data={"custom": {"x": 1}}),
        ],
    )
    await agent.tracker_store.save(tracker)
    # another conversation must not leak into this one
    await agent.tracker_store.save(
        DialogueStateTracker.from_events("other", [UserUttered("别人的消息")])
    )

    response = await client.get(f"{BASE}/history", headers=bearer(session))
    assert response.status_code == 200
    assert response.json() == {
        "messages": [
            {"from": "user", "text": "查余额", "buttons": [], "ts": "2025-11-29T07:06:40+00:00"},
            {
                "from": "bot",
                "text": "请问查询哪张卡？",
                "buttons": [],
                "ts": "2025-11-29T07:06:41+00:00",
            },
            {
                "from": "bot",
                "text": "您也可以说尾号",
                "buttons": [],
                "ts": "2025-11-29T07:06:41+00:00",
            },
            {
                "from": "bot",
                "text": "确认吗？",
                "buttons": [{"title": "是的", "payload": "/affirm"}],
                "ts": "2025-11-29T07:06:42+00:00",
            },
            # the payload is shown as the title of the button that sent it
            {"from": "user", "text": "是的", "buttons": [], "ts": "2025-11-29T07:06:43+00:00"},
        ],
        "handoff": {"active": False, "agent": None},
    }


async def test_history_of_new_conversation_is_empty(client: httpx.AsyncClient) -> None:
    session = await new_session(client)
    response = await client.get(f"{BASE}/history", headers=bearer(session))
    assert response.json() == {"messages": [], "handoff": {"active": False, "agent": None}}


async def test_bot_failure_is_a_polite_500(client: httpx.AsyncClient, bot: Bot) -> None:
    async def broken(message: UserMessage) -> None:
        raise RuntimeError("boom 13800138000")

    channel = WebChatInput(WEBCHAT_SECRET, APP_SECRET)
    app = Sanic(f"webchat_broken_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(broken), url_prefix=BASE)
    app.ctx.agent = FakeAgent()
    await start(app)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bank.test"
    ) as http:
        session = await new_session(http)
        response = await http.post(f"{BASE}/messages", json={"text": "hi"}, headers=bearer(session))
    assert response.status_code == 500
    assert response.json()["code"] == "bot_error"
    assert "13800138000" not in response.text


def test_from_credentials_reads_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBCHAT_SECRET", "env-webchat-secret-0123456789")
    monkeypatch.setenv("APP_TOKEN_SECRET", "env-app-secret-0123456789")
    monkeypatch.setenv("WEBCHAT_ALLOWED_INTENTS", "affirm, deny")
    channel = WebChatInput.from_credentials(None)
    assert channel.webchat_secret == "env-webchat-secret-0123456789"
    assert channel.app_token_secret == "env-app-secret-0123456789"
    assert channel.allowed_payload_intents == {"affirm", "deny"}


def test_placeholder_secret_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_ENV", "production")
    monkeypatch.setenv("WEBCHAT_SECRET", "change-me")
    monkeypatch.setenv("APP_TOKEN_SECRET", "env-app-secret-0123456789")
    with pytest.raises(Exception, match="placeholder"):
        WebChatInput.from_credentials({})


def test_short_secret_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    # the same rule as crm_api's settings (bankkit.secrets): at least 32 characters
    monkeypatch.setenv("CRM_ENV", "production")
    monkeypatch.setenv("WEBCHAT_SECRET", "w" * 32)
    monkeypatch.setenv("APP_TOKEN_SECRET", "env-app-secret-0123456789")
    with pytest.raises(RasaException, match="APP_TOKEN_SECRET is a placeholder or shorter"):
        WebChatInput.from_credentials({})


def test_placeholder_secret_allowed_in_development(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CRM_ENV", "development")
    monkeypatch.setenv("WEBCHAT_SECRET", "password")  # was on crm_api's list only
    monkeypatch.setenv("APP_TOKEN_SECRET", "short")
    with caplog.at_level("WARNING", logger="bot.channels.webchat"):
        channel = WebChatInput.from_credentials({})
    assert channel.webchat_secret == "password"
    assert "WEBCHAT_SECRET is a placeholder" in caplog.text
    assert "APP_TOKEN_SECRET" not in caplog.text  # short, but not a placeholder
