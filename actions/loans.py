"""Loan enquiries: which loans fit, eligibility, documents, and an indicative monthly payment.

Rates and limits come from the CRM catalogue; the annuity formula is a pure function.
"""

from __future__ import annotations

import logging
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import ProductPublic, as_decimal
from actions.formatting import money, response_text
from bankkit.amounts import parse_amount

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# loan subtype → keywords that name it and the domain response listing its documents
LOAN_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "装修贷": (("装修",), "utter_loan_docs_renovation"),
    "房贷": (("房贷", "买房", "按揭", "购房", "房子", "住房"), "utter_loan_docs_mortgage"),
    "车贷": (("车贷", "买车", "汽车", "车子", "购车"), "utter_loan_docs_car"),
    "经营贷": (("经营", "生意", "周转", "开店", "公司", "个体"), "utter_loan_docs_business"),
    "消费贷": (("消费", "旅游", "结婚", "信用贷", "薪享"), "utter_loan_docs_consumer"),
}
_CN_DIGITS = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "二十": 20,
    "三十": 30,
    "十五": 15,
    "二十五": 25,
}
_TERM = re.compile(r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?P<unit>年|个月|期)")


def monthly_payment(principal: Decimal, annual_rate_percent: Decimal, months: int) -> Decimal:
    """Equal monthly instalment (等额本息): P·r·(1+r)^n / ((1+r)^n − 1), to the fen.

    Args:
        principal: amount borrowed in yuan.
        annual_rate_percent: yearly rate in percent (4.9 means 4.9%).
        months: number of monthly instalments.
    """
    if principal <= 0 or months <= 0:
        raise ValueError("principal and months must be positive")
    with localcontext() as context:
        context.prec = 40  # (1+r)^360 needs more than the default 28 digits to be exact
        if annual_rate_percent == 0:
            return (Decimal(principal) / months).quantize(CENT, ROUND_HALF_UP)
        rate = Decimal(annual_rate_percent) / Decimal(1200)
        growth = (1 + rate) ** months
        return (principal * rate * growth / (growth - 1)).quantize(CENT, ROUND_HALF_UP)


def total_interest(principal: Decimal, annual_rate_percent: Decimal, months: int) -> Decimal:
    return (monthly_payment(principal, annual_rate_percent, months) * months - principal).quantize(
        CENT
    )


def _cn_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in _CN_DIGITS:
        return _CN_DIGITS[token]
    if len(token) == 2 and token[1] == "十":
        return _CN_DIGITS.get(token[0], 0) * 10 or None
    if len(token) == 3 and token[1] == "十":
        return _CN_DIGITS.get(token[0], 0) * 10 + _CN_DIGITS.get(token[2], 0)
    return None


def parse_term_months(text: str) -> int | None:
    """'30年' → 360, '三年' → 36, '36期' / '36个月' → 36."""
    match = _TERM.search(text or "")
    if not match:
        return None
    number = _cn_number(match.group("n"))
    if not number:
        return None
    return number * 12 if match.group("unit") == "年" else number


def loan_kind(text: str) -> str | None:
    for kind, (words, _) in LOAN_KINDS.items():
        if any(word in (text or "") for word in words):
            return kind
    return None


def loan_amount(tracker: Tracker, text: str) -> Decimal | None:
    for value in tracker.get_latest_entity_values("amount"):
        try:
            return Decimal(str(value))
        except ArithmeticError:
            continue
    # a term such as 30年 is not money: drop it before looking for an amount
    return parse_amount(_TERM.sub(" ", text)) if text else None


class ActionLoanInfo(Action):
    """Which loans fit; the rate, limits, eligibility, documents; and a monthly payment."""

    def name(self) -> str:
        return "action_loan_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        try:
            loans = await CrmClient().list_products(product_type="贷款")
        except (CrmUnavailable, CrmError) as exc:
            logger.error("loan catalogue unavailable: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_service_unavailable")
            return [SlotSet("amount", None)]
        kind = loan_kind(text)
        matching = [p for p in loans if p["subtype"] == kind] if kind else []
        if not matching:
            lines = [response_text(domain, "utter_loan_types_header")]
            lines += [self._summary(domain, p) for p in loans]
            buttons = [
                {"title": p["subtype"], "payload": f"我想了解{p['name']}"}
                for p in loans
                if "二套" not in p["name"]
            ]
            dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
            return [SlotSet("amount", None)]
        product = matching[0]
        dispatcher.utter_message(text=self._summary(domain, product))
        dispatcher.utter_message(response=LOAN_KINDS[product["subtype"]][1])
        amount, months = loan_amount(tracker, text), parse_term_months(text)
        # the catalogue gives every loan a rate (rate_kind "loan"); none, nothing to estimate
        if amount and months and product["rate"] is not None:
            months = min(months, product["max_term_months"] or months)
            rate = as_decimal(product["rate"])
            dispatcher.utter_message(
                response="utter_loan_monthly_payment",
                name=product["name"],
                rate=product["rate"],
                amount=money(amount),
                term=f"{months // 12}年" if months % 12 == 0 else f"{months}个月",
                monthly=money(monthly_payment(amount, rate, months)),
                interest=money(total_interest(amount, rate, months)),
            )
        else:
            dispatcher.utter_message(response="utter_loan_ask_amount_term")
        dispatcher.utter_message(response="utter_loan_next_steps")
        return [SlotSet("amount", None)]

    @staticmethod
    def _summary(domain: DomainDict, product: ProductPublic) -> str:
        max_age = f"，申请时不超过{product['max_age']}周岁" if product.get("max_age") else ""
        return response_text(
            domain,
            "utter_loan_product",
            name=product["name"],
            rate=product["rate"],
            min_amount=money(product["min_amount"]),
            max_amount=money(product["max_amount"]),
            years=(product["max_term_months"] or 12) // 12,
            min_age=product["min_age"],
            max_age_note=max_age,
            target=product["target_customers"],
            features=product["features"],
        )
