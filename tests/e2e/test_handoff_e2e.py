"""Human handoff end to end, in real Chromium with two browser contexts: a customer on the
chat page asks for a human; agent 小李 (logged into the staff console) sees the queue update
live, claims, and they chat both ways (typing indicators too), across a reload of the
customer's page; the agent closes with a summary and disposition; the bot resumes. Rasa's
tracker then holds every turn, customer, bot and agent, in order."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e
SCREENSHOTS = ROOT / "var" / "test-results"
DEMO_PASSWORD = "kefu-demo-2026"  # crm_api.staff.service.DEMO_DEFAULT_PASSWORD
TIMEOUT = 30_000


@pytest.fixture
def customer_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def agent_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1500, "height": 950}, locale="zh-CN")
    yield context
    context.close()


def sender_id_of(page: Page) -> str:
    token = page.evaluate("localStorage.getItem('bank-webchat.session')")
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def customer_send(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.click("#send")


def test_customer_asks_for_a_human_agent_claims_chats_and_closes(
    customer_context: BrowserContext,
    agent_context: BrowserContext,
    urls: dict[str, str],
    stack_env: dict[str, str],
) -> None:
    # -- the agent logs in and opens the handoff console (online from the live connection)
    console = agent_context.new_page()
    console.goto(urls["crm"] + "/console/handoff.html")
    console.wait_for_url("**/console/index.html*")
    console.fill("#username", "xiaoli")
    console.fill("#password", os.environ.get("CRM_STAFF_DEMO_PASSWORD") or DEMO_PASSWORD)
    console.click("#submit")
    console.wait_for_url("**/console/handoff.html*")
    expect(console.locator("#conn.on")).to_be_visible(timeout=TIMEOUT)
    expect(console.locator("header.top nav")).to_contain_text("人工会话")

    # -- the customer asks for a human and is told the queue position
    chat = customer_context.new_page()
    chat.goto(urls["rasa"] + "/webhooks/webchat/")
    customer_send(chat, "我要转人工客服")
    expect(chat.locator(".msg--bot .bubble").last).to_contain_text("排在第1位", timeout=TIMEOUT)
    expect(chat.locator("#handoff")).to_be_visible()
    sender = sender_id_of(chat)

    # -- the queue updates live in the console; the agent claims
    queued = console.locator("#queue li", has_text="客户要求转人工")
    expect(queued).to_be_visible(timeout=TIMEOUT)
    queued.locator("button.claim").click()
    expect(console.locator("#transcript")).to_contain_text("我要转人工客服", timeout=TIMEOUT)
    expect(console.locator("#transcript .nlu").first).to_contain_text("request_human")
    # the customer sees the agent join, with the agent's name
    expect(chat.locator(".msg--agent").last).to_contain_text("人工客服 小李", timeout=TIMEOUT)
    expect(chat.locator("#handoff")).to_contain_text("小李")

    # -- both ways, in real time, with typing indicators
    chat.locator("#input").type("我的信用卡", delay=20)
    expect(console.locator("#typing")).to_be_visible(timeout=TIMEOUT)
    chat.fill("#input", "")
    customer_send(chat, "我的信用卡账单金额不对")
    expect(console.locator("#transcript li.customer").last).to_contain_text(
        "我的信用卡账单金额不对", timeout=TIMEOUT
    )
    console.locator("#reply").type("请稍等", delay=20)
    expect(chat.locator("#typing")).to_be_visible(timeout=TIMEOUT)
    console.fill("#reply", "好的，我来为您核对本期账单明细。")
    console.click("#send")
    expect(chat.locator(".msg--agent .bubble").last).to_have_text(
        "好的，我来为您核对本期账单明细。", timeout=TIMEOUT
    )

    # -- the customer's page is reloaded mid-handoff: history and live updates continue
    chat.reload()
    expect(chat.locator("#messages")).to_contain_text(
        "好的，我来为您核对本期账单明细。", timeout=TIMEOUT
    )
    expect(chat.locator("#handoff")).to_contain_text("人工客服 小李")
    console.click("#quick button >> nth=1")  # 请稍等，我马上为您查询。
    console.click("#send")
    expect(chat.locator(".msg--agent .bubble").last).to_have_text(
        "请稍等，我马上为您查询。", timeout=TIMEOUT
    )
    customer_send(chat, "好的谢谢")
    expect(console.locator("#transcript li.customer").last).to_contain_text(
        "好的谢谢", timeout=TIMEOUT
    )
    # an internal note never reaches the customer
    console.locator("details.ho-notes summary").click()
    console.fill("#note", "客户对账单金额有疑问，已核对")
    console.click("#note-form button")
    expect(console.locator("#activities")).to_contain_text("客户对账单金额有疑问")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=str(SCREENSHOTS / "handoff-console.png"), full_page=True)
    chat.screenshot(path=str(SCREENSHOTS / "handoff-customer.png"), full_page=True)

    # -- the agent closes; the bot resumes and says so
    handoff_id = console.locator("#mine li").first.get_attribute("data-id")
    console.select_option("#disposition", "info_provided")
    console.fill("#summary", "客户询问信用卡账单金额，已核对并解释")
    console.click("#close")
    expect(chat.locator(".msg--bot .bubble", has_text="智能客服小智回来啦")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(chat.locator("#handoff")).to_be_hidden()
    expect(console.locator("#chat-empty")).to_be_visible()
    stored = console.request.get(f"{urls['crm']}/api/v1/handoff/{handoff_id}").json()
    assert stored["status"] == "closed"
    assert stored["disposition"] == "info_provided"
    assert stored["summary"] == "客户询问信用卡账单金额，已核对并解释"
    assert "客户对账单金额有疑问" not in chat.locator("#messages").inner_text()

    # -- the tracker is the complete transcript, in order
    tracker = httpx.get(
        f"{urls['rasa']}/conversations/{sender}/tracker",
        params={"token": stack_env["RASA_TOKEN"]},
        timeout=10,
    ).json()
    turns = []
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append(("customer", event["text"]))
        elif event["event"] == "bot" and event.get("text"):
            who = "agent" if (event.get("metadata") or {}).get("agent") else "bot"
            turns.append((who, event["text"]))
        elif event["event"] in ("pause", "resume"):
            turns.append((event["event"], ""))
    speakers = [who for who, _ in turns]
    texts = [text for _, text in turns]
    assert texts[0] == "我要转人工客服"
    assert "排在第1位" in texts[1]
    assert turns[2] == ("pause", "")
    assert turns[3][0] == "agent" and "人工客服小李" in turns[3][1]
    rest = turns[4:]
    assert [t for t in rest if t[0] in ("customer", "agent")] == [
        ("customer", "我的信用卡账单金额不对"),
        ("agent", "好的，我来为您核对本期账单明细。"),
        ("agent", "请稍等，我马上为您查询。"),
        ("customer", "好的谢谢"),
    ]
    resume_at = speakers.index("resume")
    assert "智能客服小智回来啦" in texts[resume_at + 1]
    assert speakers[resume_at + 1] == "bot"
