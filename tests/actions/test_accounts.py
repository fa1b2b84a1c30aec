from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
import respx
from rasa_sdk.events import SlotSet

from actions import accounts
from actions.accounts import (
    ActionCheckBalance,
    ActionQueryCreditCard,
    ActionQueryTransactions,
    ActionResumeRequest,
)
from tests.actions.conftest import (
    VERIFIED,
    ZHANG_WEI_ACCOUNTS,
    app_token,
    make_tracker,
    responses,
    texts,
    user_event,
)

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "today", lambda: TODAY)


async def test_balance_lists_every_account_with_masked_numbers(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    events = await ActionCheckBalance().run(dispatcher, make_tracker(slots=VERIFIED), domain)

    [text] = texts(dispatcher)
    assert text.startswith("张伟，您名下的账户情况如下：")
    assert "储蓄卡（尾号1234）：可用余额 52,380.45 元" in text
    assert "信用卡（尾号5678）：可用额度 46,800.00 元，总额度 50,000.00 元" in text
    assert SlotSet("account_type", None) in events


async def test_balance_of_one_account_type(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(slots={**VERIFIED, "account_type": "信用卡"})
    await ActionCheckBalance().run(dispatcher, tracker, domain)

    [text] = texts(dispatcher)
    assert "信用卡（尾号5678）" in text
    assert "储蓄卡" not in text


async def test_balance_without_that_account_type(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS[:1])
    tracker = make_tracker(slots={**VERIFIED, "account_type": "信用卡"})
    await ActionCheckBalance().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_no_accounts_of_type"]
    assert dispatcher.messages[0]["account_type"] == "信用卡"


async def test_unverified_session_gets_no_account_data(crm, dispatcher, domain):
    route = crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    # Typing a customer id cannot help: only the verified session counts.
    tracker = make_tracker(
        slots={"customer_id": "1", "customer_verified": False}, text="我是客户1，查余额"
    )
    events = await ActionCheckBalance().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_need_verification"]
    assert events == []
    assert not route.called


async def test_app_identity_token_in_metadata_identifies_the_customer(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(metadata={"channel": "app", "identity_token": app_token("1")})
    await ActionCheckBalance().run(dispatcher, tracker, domain)
    assert "尾号1234" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    "token",
    [
        app_token("1", secret="someone-elses-secret-0123456789"),  # forged signature
        app_token("1", expires_in=-10),  # expired
        "not-a-jwt",  # garbage
    ],
)
async def test_bad_identity_tokens_are_refused(crm, dispatcher, domain, token):
    route = crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    tracker = make_tracker(metadata={"channel": "app", "identity_token": token})
    await ActionCheckBalance().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_need_verification"]
    assert not route.called


async def test_crm_down_gives_a_polite_reply_and_offers_a_human(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").mock(side_effect=httpx.ConnectError("refused"))
    events = await ActionCheckBalance().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    assert responses(dispatcher) == ["utter_service_unavailable"]
    assert SlotSet("account_type", None) in events


async def test_crm_500_is_retried_then_apologised_for(crm, dispatcher, domain):
    route = crm.get("/customers/1/accounts").respond(500)
    await ActionCheckBalance().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    assert route.call_count == 3  # idempotent GET: first try + 2 retries
    assert responses(dispatcher) == ["utter_service_unavailable"]


TRANSACTIONS_PAGE = {
    "items": [
        {
            "id": 9,
            "occurred_at": "2026-10-30T12:05:00+08:00",
            "amount": "-128.50",
            "counterparty": "美团外卖",
            "channel": "快捷支付",
            "category": "餐饮",
            "balance_after": "52380.45",
        },
        {
            "id": 8,
            "occurred_at": "2026-10-15T09:00:00+08:00",
            "amount": "15000.00",
            "counterparty": "上海某某科技有限公司",
            "channel": "网银",
            "category": "工资",
            "balance_after": "52508.95",
        },
    ],
    "total": 23,
    "income_total": "15000.00",
    "spending_total": "6234.10",
    "start": "2026-10-01",
    "end": "2026-10-31",
}


async def test_statement_for_last_month(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    route = crm.get("/customers/1/accounts/1/transactions").respond(json=TRANSACTIONS_PAGE)
    tracker = make_tracker(slots={**VERIFIED, "time_period": "上个月"}, intent="query_transactions")
    await ActionQueryTransactions().run(dispatcher, tracker, domain)

    params = route.calls.last.request.url.params
    assert (params["start"], params["end"]) == ("2026-10-01", "2026-10-31")
    [text] = texts(dispatcher)
    assert "储蓄卡（尾号1234）在2026年10月1日至2026年10月31日期间共有23笔交易" in text
    assert "收入合计 15,000.00 元，支出合计 6,234.10 元" in text
    assert "10月30日 支出 128.50 元｜美团外卖（快捷支付）｜余额 52,380.45" in text
    assert "10月15日 收入 15,000.00 元" in text
    assert "更完整的明细" in text  # 23 > 2 shown


async def test_statement_defaults_to_the_last_30_days(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    route = crm.get("/customers/1/accounts/1/transactions").respond(json=TRANSACTIONS_PAGE)
    await ActionQueryTransactions().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    params = route.calls.last.request.url.params
    assert params["start"] == (TODAY - timedelta(days=29)).isoformat()
    assert params["end"] == TODAY.isoformat()


async def test_statement_with_a_period_the_bot_cannot_read(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    crm.get("/customers/1/accounts/1/transactions").respond(json=TRANSACTIONS_PAGE)
    tracker = make_tracker(slots={**VERIFIED, "time_period": "那个啥时候"})
    await ActionQueryTransactions().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_period_not_understood"


async def test_statement_of_the_credit_card_when_asked(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    route = crm.get("/customers/1/accounts/2/transactions").respond(
        json={**TRANSACTIONS_PAGE, "items": [], "total": 0}
    )
    tracker = make_tracker(slots={**VERIFIED, "account_type": "信用卡"})
    await ActionQueryTransactions().run(dispatcher, tracker, domain)
    assert route.called
    assert responses(dispatcher) == ["utter_transactions_none"]


STATEMENT = {
    "account_id": 2,
    "masked_number": "尾号5678",
    "statement_date": "2026-11-05",
    "due_date": "2026-11-25",
    "statement_amount": "3200.00",
    "minimum_payment": "320.00",
    "credit_limit": "50000.00",
    "available_credit": "46800.00",
    "current_balance": "3200.00",
}


@pytest.mark.parametrize(
    ("due_date", "hint"),
    [
        ("2026-12-20", None),  # 21 days left: no hint
        ("2026-12-02", "utter_credit_card_due_soon_hint"),  # 3 days left
        ("2026-11-25", "utter_credit_card_overdue_hint"),  # past due with money owed
    ],
)
async def test_credit_card_statement(crm, dispatcher, domain, due_date, hint):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS[1:])
    crm.get("/customers/1/accounts/2/statement").respond(json={**STATEMENT, "due_date": due_date})
    await ActionQueryCreditCard().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    statement = dispatcher.messages[0]
    assert statement["response"] == "utter_credit_card_statement"
    assert statement["statement_amount"] == "3,200.00"
    assert statement["minimum_payment"] == "320.00"
    assert statement["available"] == "46,800.00"
    assert responses(dispatcher)[1:] == ([hint] if hint else [])


async def test_credit_card_question_without_a_credit_card(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=[])
    await ActionQueryCreditCard().run(dispatcher, make_tracker(slots=VERIFIED), domain)
    assert responses(dispatcher) == ["utter_no_credit_card"]


async def test_resume_answers_the_question_asked_before_verification(crm, dispatcher, domain):
    crm.get("/customers/1/accounts").respond(json=ZHANG_WEI_ACCOUNTS)
    asked = user_event("我卡里还有多少钱", "check_balance")
    tracker = make_tracker(slots=VERIFIED, events=[asked], text="482913", intent="inform")
    await ActionResumeRequest().run(dispatcher, tracker, domain)
    assert "可用余额 52,380.45 元" in texts(dispatcher)[0]


async def test_resume_does_nothing_when_verification_failed(
    crm: respx.MockRouter, dispatcher, domain
):
    asked = user_event("我卡里还有多少钱", "check_balance")
    tracker = make_tracker(events=[asked], text="111111", intent="inform")
    assert await ActionResumeRequest().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []
