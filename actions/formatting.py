"""Render domain responses and format money/dates for Chinese customers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from rasa_sdk.types import DomainDict

from actions.crm_types import AccountPublic


def money(value: Any) -> str:
    """'52380.4' -> '52,380.40'. Money arrives from the CRM as a decimal string."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount.quantize(Decimal('0.01')):,}"


def cn_date(value: date | str) -> str:
    """2026-11-05 -> '2026年11月5日'."""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def short_date(value: datetime | str) -> str:
    """A transaction time -> '11月5日'."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.month}月{moment.day}日"


def response_text(domain: DomainDict, response: str, **values: Any) -> str:
    """The text of a domain response filled with values (for composing one message)."""
    variants = domain.get("responses", {}).get(response) or []
    if not variants:
        raise KeyError(f"response {response} missing from domain")
    return str(variants[0]["text"]).format(**values)


def card_label(account: AccountPublic) -> str:
    """'储蓄卡（尾号1234）'."""
    return f"{account['account_type']}（尾号{account['last4']}）"
