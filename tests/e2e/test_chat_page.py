"""The customer chat page in real Chromium against the real stack."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, latest_code

pytestmark = pytest.mark.e2e
SCREENSHOTS = ROOT / "var" / "test-results"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def send(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.click("#send")


def last_bot_text(page: Page) -> str:
    return page.locator(".msg--bot .bubble").last.inner_text()


def test_zhang_wei_verifies_and_reads_his_balance(page: Page, urls, crm_api):
    page.goto(urls["rasa"] + "/webhooks/webchat/")
    expect(page.locator("h1")).to_have_text("智能客服")

    send(page, "查余额")
    expect(page.locator(".msg--bot .bubble").last).to_contain_text("手机号", timeout=30_000)
    send(page, "13800138000")
    expect(page.locator("#messages")).to_contain_text("尾号8000", timeout=30_000)
    send(page, latest_code(urls["crm"], "13800138000"))

    accounts = crm_api.get("/customers/1/accounts").json()
    debit = next(a for a in accounts if a["account_type"] == "储蓄卡")
    balance = f"{Decimal(debit['balance']):,.2f}"
    expect(page.locator("#messages")).to_contain_text(f"可用余额 {balance} 元", timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-balance.png"), full_page=True)

    # A reload keeps the conversation, and the session stays verified.
    page.reload()
    expect(page.locator("#messages")).to_contain_text(f"可用余额 {balance} 元", timeout=30_000)
    send(page, "信用卡这期账单多少")
    expect(page.locator("#messages")).to_contain_text("最低还款额", timeout=30_000)


def test_html_typed_by_the_customer_is_shown_as_text(page: Page, urls):
    page.goto(urls["rasa"] + "/webhooks/webchat/")
    attack = "<img src=x onerror=\"document.title='hacked'\">"
    send(page, attack)
    expect(page.locator(".msg--user .bubble").last).to_have_text(attack, timeout=30_000)
    expect(page.locator(".msg--bot").last).to_be_visible(timeout=30_000)
    assert page.locator("#messages img").count() == 0
    assert page.title() != "hacked"
