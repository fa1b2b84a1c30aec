"""The whole stack over Rasa's standard REST channel (the channel tools and tests use)."""

from __future__ import annotations

import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import latest_code

pytestmark = pytest.mark.e2e

ZHANG_WEI = "13800138000"
LI_NA = "13900139000"


class Chat:
    def __init__(self, rasa_url: str) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = uuid.uuid4().hex

    def say(self, text: str) -> str:
        response = httpx.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text", "") for m in response.json())


def verify(chat: Chat, crm_url: str, phone: str) -> str:
    asked = chat.say(phone)
    assert f"尾号{phone[-4:]}" in asked, asked
    return chat.say(latest_code(crm_url, phone))


def money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def test_anonymous_balance_after_one_time_code(urls, crm_api):
    chat = Chat(urls["rasa"])
    assert "手机号" in chat.say("查一下我卡里还有多少钱")
    reply = verify(chat, urls["crm"], ZHANG_WEI)

    accounts = crm_api.get("/customers/1/accounts").json()
    debit = next(a for a in accounts if a["account_type"] == "储蓄卡")
    assert "张伟" in reply and "身份验证成功" in reply
    assert f"储蓄卡（尾号{debit['last4']}）：可用余额 {money(debit['balance'])} 元" in reply
    # The verified session stays verified: the next question needs no code.
    bill = chat.say("信用卡这期要还多少")
    assert "本期账单" in bill and "最低还款额" in bill


def test_one_time_code_is_not_stored_in_the_tracker(urls, stack_env):
    chat = Chat(urls["rasa"])
    chat.say("查余额")
    chat.say(ZHANG_WEI)
    code = latest_code(urls["crm"], ZHANG_WEI)
    assert "身份验证成功" in chat.say(code)
    with sqlite3.connect(Path(stack_env["TRACKER_DB"])) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (chat.sender,)).fetchall()
    assert rows, "the conversation was not stored"
    assert not any(code in data for (data,) in rows)


def test_statement_for_last_month(urls, crm_api):
    chat = Chat(urls["rasa"])
    chat.say("我想看看上个月的流水")
    reply = verify(chat, urls["crm"], ZHANG_WEI)
    assert "期间共有" in reply and "收入合计" in reply and "支出合计" in reply


def test_wrong_code_and_unknown_phone_get_polite_replies(urls):
    chat = Chat(urls["rasa"])
    chat.say("查余额")
    assert "没有查到使用这个手机号的客户" in chat.say("13912345670")
    assert "尾号8000" in chat.say(ZHANG_WEI)
    assert "验证码不正确，您还可以再试" in chat.say("000000")


def test_lost_card_is_frozen_in_the_crm(urls, crm_api):
    chat = Chat(urls["rasa"])
    assert "手机号" in chat.say("我的卡丢了，快帮我冻结")
    confirm = verify(chat, urls["crm"], LI_NA)
    assert "确认要挂失" in confirm
    done = chat.say("确认")
    assert "已为您挂失并冻结" in done and "挂失编号" in done
    customer = crm_api.get("/customers/by-phone", params={"phone": LI_NA}).json()
    statuses = {a["status"] for a in crm_api.get(f"/customers/{customer['id']}/accounts").json()}
    assert "lost" in statuses or "frozen" in statuses


@pytest.mark.parametrize(
    "text",
    [
        "",  # empty
        "钱" * 10_000,  # 10,000 characters
        "😀😀👍",  # emoji only
        "<script>alert('x')</script><b>余额</b>",  # HTML and script
        "我的餘額還有多少",  # Traditional characters
        "６２２２０２１２３４５６７８９０",  # full-width digits
    ],
)
def test_bad_input_gets_a_polite_reply_and_nothing_crashes(urls, text):
    chat = Chat(urls["rasa"])
    reply = chat.say(text)
    assert "<script>" not in reply
    assert "Traceback" not in reply
    assert chat.say("你好").startswith("您好")  # the conversation still works


def test_crm_down_bot_apologises_and_offers_a_human(urls, stack):
    chat = Chat(urls["rasa"])
    chat.say("查余额")
    verify(chat, urls["crm"], ZHANG_WEI)
    crm = next(s for s in stack.services if s.name == "crm_api")
    assert crm.process is not None
    crm.process.terminate()
    crm.process.wait(timeout=15)
    try:
        reply = chat.say("再查一下余额")
        assert "系统暂时繁忙" in reply
    finally:
        stack.restart("crm_api")  # the modules after this one need the CRM
