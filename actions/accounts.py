"""Balances, statements and credit-card bills for the verified customer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.complaints import show_complaint_status
from actions.conversation import event_intent
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import AccountPublic, as_decimal
from actions.formatting import card_label, cn_date, money, response_text, short_date
from actions.identity import verified_customer_id
from actions.settings import get_settings
from bankkit.periods import resolve_period

logger = logging.getLogger(__name__)

BANK_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
# Entity slots are per-request: clear them so they don't leak into the next question.
CLEAR_REQUEST_SLOTS: list[EventType] = [
    SlotSet("account_type", None),
    SlotSet("time_period", None),
    SlotSet("card_tail", None),
]

Handler = Callable[[CollectingDispatcher, Tracker, DomainDict, str], Awaitable[list[EventType]]]


def today() -> date:
    return datetime.now(BANK_TZ).date()


def pick_accounts(accounts: list[AccountPublic], tracker: Tracker) -> list[AccountPublic]:
    """Narrow accounts by the card tail and account type the customer mentioned."""
    tail = tracker.get_slot("card_tail")
    if tail:
        matching = [a for a in accounts if a.get("last4") == str(tail)]
        if matching:
            return matching
    account_type = tracker.get_slot("account_type")
    if account_type:
        return [a for a in accounts if a.get("account_type") == account_type]
    return accounts


def _status_note(domain: DomainDict, account: AccountPublic) -> str:
    status = account.get("status")
    if status == "lost":
        return response_text(domain, "utter_status_note_lost")
    if status == "frozen":
        return response_text(domain, "utter_status_note_frozen")
    return ""


async def show_balance(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, customer_id: str
) -> list[EventType]:
    accounts = pick_accounts(await CrmClient().list_accounts(customer_id), tracker)
    if not accounts:
        account_type = tracker.get_slot("account_type")
        if account_type:
            dispatcher.utter_message(
                response="utter_no_accounts_of_type", account_type=account_type
            )
        else:
            dispatcher.utter_message(response="utter_no_accounts")
        return CLEAR_REQUEST_SLOTS
    lines = [
        response_text(
            domain, "utter_balance_header", name=tracker.get_slot("customer_name") or "您好"
        )
    ]
    for account in accounts:
        values = {
            "card": f"尾号{account['last4']}",
            "status_note": _status_note(domain, account),
            "balance": money(account["balance"]),
        }
        if account["account_type"] == "信用卡":
            lines.append(
                response_text(
                    domain,
                    "utter_balance_credit_line",
                    available=money(account["available_credit"]),
                    limit=money(account["credit_limit"]),
                    **values,
                )
            )
        else:
            lines.append(response_text(domain, "utter_balance_debit_line", **values))
    dispatcher.utter_message(text="\n".join(lines))
    return CLEAR_REQUEST_SLOTS


def statement_period(
    text: str | None, dispatcher: CollectingDispatcher, on: date
) -> tuple[date, date]:
    """The date range the customer asked for (default: the last 30 days)."""
    default = (on - timedelta(days=DEFAULT_PERIOD_DAYS - 1), on)
    if not text:
        return default
    resolved = resolve_period(text, on)
    if resolved is None:
        dispatcher.utter_message(response="utter_period_not_understood")
        return default
    start, end = resolved
    end = min(end, on)
    if start > end:
        dispatcher.utter_message(response="utter_period_not_understood")
        return default
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        dispatcher.utter_message(response="utter_period_too_long")
        start = end - timedelta(days=MAX_PERIOD_DAYS - 1)
    return start, end


def _pick_statement_account(accounts: list[AccountPublic]) -> AccountPublic | None:
    debit = [a for a in accounts if a["account_type"] == "储蓄卡"]
    candidates = debit or accounts
    return candidates[0] if candidates else None


async def show_transactions(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, customer_id: str
) -> list[EventType]:
    client = CrmClient()
    account = _pick_statement_account(
        pick_accounts(await client.list_accounts(customer_id), tracker)
    )
    if account is None:
        dispatcher.utter_message(response="utter_no_accounts")
        return CLEAR_REQUEST_SLOTS
    start, end = statement_period(tracker.get_slot("time_period"), dispatcher, today())
    lines_wanted = get_settings().statement_lines
    page = await client.list_transactions(
        customer_id, account["id"], start=start, end=end, limit=lines_wanted
    )
    period: dict[str, Any] = {
        "card": card_label(account),
        "start": cn_date(start),
        "end": cn_date(end),
    }
    if not page["items"]:
        dispatcher.utter_message(response="utter_transactions_none", **period)
        return CLEAR_REQUEST_SLOTS
    lines = [
        response_text(
            domain,
            "utter_transactions_summary",
            count=page["total"],
            income=money(page["income_total"]),
            spending=money(page["spending_total"]),
            **period,
        ),
        response_text(domain, "utter_transactions_recent_header", shown=len(page["items"])),
    ]
    for item in page["items"]:
        amount = as_decimal(item["amount"])
        direction = "utter_transaction_income" if amount > 0 else "utter_transaction_spending"
        lines.append(
            response_text(
                domain,
                "utter_transaction_line",
                date=short_date(item["occurred_at"]),
                direction=response_text(domain, direction),
                amount=money(abs(amount)),
                counterparty=item["counterparty"],
                channel=item["channel"],
                balance_after=money(item["balance_after"]),
            )
        )
    if page["total"] > len(page["items"]):
        lines.append(response_text(domain, "utter_transactions_more"))
    dispatcher.utter_message(text="\n".join(lines))
    return CLEAR_REQUEST_SLOTS


async def show_credit_card(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, customer_id: str
) -> list[EventType]:
    client = CrmClient()
    cards = await client.list_accounts(customer_id, "信用卡")
    tail = tracker.get_slot("card_tail")
    if tail and any(c["last4"] == str(tail) for c in cards):
        cards = [c for c in cards if c["last4"] == str(tail)]
    if not cards:
        dispatcher.utter_message(response="utter_no_credit_card")
        return CLEAR_REQUEST_SLOTS
    on = today()
    for card in cards:
        statement = await client.credit_card_statement(customer_id, card["id"])
        due = date.fromisoformat(statement["due_date"])
        days_left = (due - on).days
        dispatcher.utter_message(
            response="utter_credit_card_statement",
            card=f"尾号{card['last4']}",
            statement_date=cn_date(statement["statement_date"]),
            due_date=cn_date(due),
            statement_amount=money(statement["statement_amount"]),
            minimum_payment=money(statement["minimum_payment"]),
            days_left=max(days_left, 0),
            limit=money(statement["credit_limit"]),
            available=money(statement["available_credit"]),
        )
        owed = as_decimal(statement["statement_amount"]) > 0
        if owed and days_left < 0:
            dispatcher.utter_message(response="utter_credit_card_overdue_hint")
        elif owed and days_left <= 5:
            dispatcher.utter_message(response="utter_credit_card_due_soon_hint")
    return CLEAR_REQUEST_SLOTS


async def run_for_verified_customer(
    handler: Handler, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """Run an account handler; CRM faults become a polite reply, never a stack trace."""
    customer_id = verified_customer_id(tracker)
    if not customer_id:
        dispatcher.utter_message(response="utter_need_verification")
        return []
    try:
        return await handler(dispatcher, tracker, domain, customer_id)
    except CrmUnavailable:
        logger.error("crm unavailable during %s", handler.__name__)
    except CrmError as exc:
        logger.error("crm refused %s: %s", handler.__name__, exc.code)
    dispatcher.utter_message(response="utter_service_unavailable")
    return CLEAR_REQUEST_SLOTS


class ActionCheckBalance(Action):
    def name(self) -> str:
        return "action_check_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await run_for_verified_customer(show_balance, dispatcher, tracker, domain)


class ActionQueryTransactions(Action):
    def name(self) -> str:
        return "action_query_transactions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await run_for_verified_customer(show_transactions, dispatcher, tracker, domain)


class ActionQueryCreditCard(Action):
    def name(self) -> str:
        return "action_query_credit_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await run_for_verified_customer(show_credit_card, dispatcher, tracker, domain)


RESUMABLE: dict[str, Handler] = {
    "check_balance": show_balance,
    "query_transactions": show_transactions,
    "query_credit_card": show_credit_card,
    "query_complaint_status": show_complaint_status,
}


def pending_request(tracker: Tracker) -> str | None:
    """The account question the customer asked before being sent to verification."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = event_intent(event)
            if intent in RESUMABLE:
                return intent
    return None


class ActionResumeRequest(Action):
    """After verification, answer the question that triggered it."""

    def name(self) -> str:
        return "action_resume_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not verified_customer_id(tracker):
            # The form already told the customer why verification stopped.
            return []
        intent = pending_request(tracker)
        if intent is None:
            dispatcher.utter_message(response="utter_what_next_verified")
            return []
        return await run_for_verified_customer(RESUMABLE[intent], dispatcher, tracker, domain)
