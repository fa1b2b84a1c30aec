"""Product recommendations, product details and comparisons, interest rates, sales leads.

Everything about products is CRM data: names, rates, terms, risk levels and the reasons
of a recommendation; the sentences around them are responses in domain/products.yml. Suitability is
decided by the CRM; the bot only asks what is missing and leads a customer without a
valid risk assessment through the questionnaire first (inside product_reco_form).
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_intent
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import PRODUCT_TYPES, ProductPublic
from actions.formatting import money, response_text
from actions.identity import verified_customer_id
from actions.loans import _cn_number
from actions.risk import (
    CLEAR_ANSWERS,
    NO_ASSESSMENT,
    RISK_SLOTS,
    RiskAwareFormValidation,
    crm_channel,
)
from bankkit.amounts import parse_amount

logger = logging.getLogger(__name__)

ANY_TYPE = "不限"
# types whose shelf has investment products: the questionnaire comes first without a
# valid assessment (the CRM refuses 理财/基金 and filters investments out otherwise)
ASSESSED_TYPES = (ANY_TYPE, "理财", "基金")
NO_AMOUNT_TYPES = ("信用卡",)
NO_HORIZON_TYPES = ("信用卡", "贷款", "保险")
REQUEST_SLOTS: list[EventType] = [
    SlotSet("product_type", None),
    SlotSet("amount", None),
    SlotSet("investment_horizon", None),
]
CLEAR_LEAD: list[EventType] = [
    SlotSet("offer_lead", False),
    SlotSet("lead_product", None),
    SlotSet("lead_recommendation", None),
]
_DURATION = re.compile(
    r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3}|半)\s*(?P<unit>年|个月|月|天|周)"
)
_LIQUID_WORDS = ("随时", "活期", "灵活", "不确定", "说不好")
_ORDINAL = re.compile(r"第\s*(?P<n>\d|[一二三四五])\s*[款个项]")


class ShownProduct(TypedDict):
    """A recommended product as the reco_items slot keeps it (for details and comparing)."""

    code: str
    name: str
    recommendation_id: int


def parse_horizon_months(text: str) -> int | None:
    """'一年' → 12, '半年' → 6, '3个月' → 3, '90天' → 3, '随时要用' → 0, else None."""
    text = text or ""
    if any(word in text for word in _LIQUID_WORDS):
        return 0
    match = _DURATION.search(text)
    if not match:
        return None
    token, unit = match.group("n"), match.group("unit")
    number = 0.5 if token == "半" else _cn_number(token)
    if not number:
        return None
    months = {"年": 12, "个月": 1, "月": 1, "天": 1 / 30, "周": 7 / 30}[unit] * number
    return max(0, round(months))


def _amount_value(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = parse_amount(str(value)) or Decimal(0)
    return amount if amount > 0 else None


def _rate_text(domain: DomainDict, product: ProductPublic) -> str:
    if not product.get("rate"):
        return response_text(domain, "utter_product_no_rate")
    return f"{product['rate_label']} {product['rate']}%"


def _risk_text(domain: DomainDict, product: ProductPublic) -> str:
    return product.get("risk_label") or response_text(domain, "utter_product_no_risk_level")


# ---------------------------------------------------------------- the recommendation form


class ValidateProductRecoForm(RiskAwareFormValidation):
    """Verification (if needed) → product type → questionnaire (if needed) → amount → horizon."""

    def name(self) -> str:
        return "validate_product_reco_form"

    def slots_for_verified(self, slots: list[str], tracker: Tracker) -> list[str]:
        product_type = tracker.get_slot("product_type")
        unassessed = tracker.get_slot("risk_level") == NO_ASSESSMENT
        if not (unassessed and product_type in ASSESSED_TYPES):
            slots = [s for s in slots if s not in RISK_SLOTS]
        if product_type in NO_AMOUNT_TYPES:
            slots = [s for s in slots if s != "amount"]
        if product_type in NO_HORIZON_TYPES:
            slots = [s for s in slots if s != "investment_horizon"]
        return slots

    async def extract_investment_horizon(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("investment_horizon") is not None:
            return {}
        requested = tracker.get_slot("requested_slot")
        if (
            requested != "investment_horizon"
            and latest_intent(tracker) != "ask_product_recommendation"
        ):
            return {}
        months = parse_horizon_months(str((tracker.latest_message or {}).get("text") or ""))
        if months is None:
            if requested == "investment_horizon":
                dispatcher.utter_message(response="utter_horizon_not_understood")
            return {}
        return {"investment_horizon": months}

    async def extract_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # the NLU's amount entity fills the slot; this catches what it missed when asked
        if tracker.get_slot("amount") is not None or tracker.get_slot("requested_slot") != "amount":
            return {}
        amount = parse_amount(str((tracker.latest_message or {}).get("text") or ""))
        return {"amount": float(amount)} if amount else {}

    async def validate_product_type(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value in (*PRODUCT_TYPES, ANY_TYPE):
            return {"product_type": slot_value}
        if slot_value == "外汇":
            dispatcher.utter_message(response="utter_reco_no_fx")
        return {"product_type": None}

    async def validate_amount(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        amount = _amount_value(slot_value)
        if amount is None:
            dispatcher.utter_message(response="utter_amount_not_understood")
            return {"amount": None}
        return {"amount": float(amount)}

    async def validate_investment_horizon(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        try:
            months = int(slot_value)
        except (TypeError, ValueError):
            return {"investment_horizon": None}
        return {"investment_horizon": months if 0 <= months <= 600 else None}


class ActionRecommendProducts(Action):
    """After product_reco_form: the CRM's top 3 suitable products, with reasons and risk."""

    def name(self) -> str:
        return "action_recommend_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = [*REQUEST_SLOTS, *CLEAR_ANSWERS]
        customer_id = verified_customer_id(tracker)
        product_type = tracker.get_slot("product_type")
        if not customer_id or not product_type:
            return done  # the form was cancelled; it already said why
        if product_type in ASSESSED_TYPES and tracker.get_slot("risk_level") == NO_ASSESSMENT:
            return done  # questionnaire cancelled
        try:
            result = await CrmClient().recommend_products(
                customer_id,
                product_type=None if product_type == ANY_TYPE else product_type,
                amount=_amount_value(tracker.get_slot("amount")),
                horizon_months=tracker.get_slot("investment_horizon"),
                channel=crm_channel(tracker),
            )
        except CrmError as exc:
            if exc.code == "risk_assessment_required":
                dispatcher.utter_message(response="utter_risk_required")
                return [*done, SlotSet("risk_level", NO_ASSESSMENT)]
            logger.error("recommendation refused: %s", exc.code)
            dispatcher.utter_message(response="utter_service_unavailable")
            return done
        except CrmUnavailable:
            logger.error("recommendation failed: crm unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return done
        items = result["items"]
        if not items:
            dispatcher.utter_message(response="utter_reco_none")
            return done
        header = "utter_reco_header_assessed" if result.get("risk_label") else "utter_reco_header"
        lines = [response_text(domain, header, risk_label=result.get("risk_label") or "")]
        for item in items:
            product = item["product"]
            lines.append(
                response_text(
                    domain,
                    "utter_reco_item",
                    rank=item["rank"],
                    name=product["name"],
                    product_type=product["product_type"],
                    rate=_rate_text(domain, product),
                    term=product["term_label"],
                    min_amount=money(product["min_amount"]),
                    risk=_risk_text(domain, product),
                    reasons="；".join(item["reasons"]),
                )
            )
        dispatcher.utter_message(text="\n".join(lines))
        disclosures = {i["risk_disclosure"] for i in items if i.get("risk_disclosure")}
        if disclosures:
            dispatcher.utter_message(response="utter_risk_disclosure")
        buttons = [
            {"title": f"了解{i['product']['name']}", "payload": f"介绍一下{i['product']['name']}"}
            for i in items
        ]
        if len(items) > 1:
            buttons.append({"title": "对比这几款", "payload": "帮我对比一下这几款产品"})
        dispatcher.utter_message(response="utter_reco_followup", buttons=buttons)
        shown: list[ShownProduct] = [
            {
                "code": i["product"]["code"],
                "name": i["product"]["name"],
                "recommendation_id": i["recommendation_id"],
            }
            for i in items
        ]
        return [*done, SlotSet("reco_items", shown)]


# ---------------------------------------------------------------- product questions


def _find_products(
    text: str, products: list[ProductPublic], product_type: str | None
) -> list[ProductPublic]:
    """Products the customer named: by name, else by type plus a term they mentioned."""
    named = [p for p in products if p["name"] in text]
    if named:
        return sorted(named, key=lambda p: -len(p["name"]))[:1]
    if product_type:
        of_type = [p for p in products if p["product_type"] == product_type]
        months = parse_horizon_months(text)
        days = re.search(r"(\d{2,3})\s*天", text)
        if days:
            by_term = [p for p in of_type if p["term_days"] == int(days.group(1))]
        elif months:
            by_term = [
                p for p in of_type if p["term_days"] and abs(p["term_days"] - months * 30.4) < 20
            ]
        else:
            by_term = []
        if by_term:
            return by_term[:1]
        return of_type
    return []


class ActionProductInfo(Action):
    """Details of a product (or a list of a type, or a comparison of the recommended ones)."""

    def name(self) -> str:
        return "action_product_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        product_type = next(tracker.get_latest_entity_values("product_type"), None)
        shown: list[ShownProduct] = tracker.get_slot("reco_items") or []
        client = CrmClient()
        try:
            if shown and any(w in text for w in ("对比", "比较", "哪个好", "区别")):
                return await self._compare(dispatcher, domain, client, shown)
            ordinal = _ORDINAL.search(text)
            if shown and ordinal:
                index = (_cn_number(ordinal.group("n")) or 1) - 1
                if 0 <= index < len(shown):
                    product = await client.get_product(shown[index]["code"])
                    return await self._detail(dispatcher, tracker, domain, product, shown)
            found = _find_products(text, await client.list_products(), product_type)
        except (CrmUnavailable, CrmError) as exc:
            logger.error("product info failed: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_service_unavailable")
            return [SlotSet("product_type", None)]
        if len(found) == 1:
            return await self._detail(dispatcher, tracker, domain, found[0], shown)
        if found:
            lines = [
                response_text(
                    domain, "utter_product_list_header", product_type=found[0]["product_type"]
                )
            ]
            lines += [
                response_text(
                    domain,
                    "utter_product_list_line",
                    name=p["name"],
                    rate=_rate_text(domain, p),
                    term=p["term_label"],
                    min_amount=money(p["min_amount"]),
                    risk=_risk_text(domain, p),
                )
                for p in found[:8]
            ]
            dispatcher.utter_message(text="\n".join(lines))
            if any(p["is_investment"] for p in found):
                dispatcher.utter_message(response="utter_risk_disclosure")
            return [SlotSet("product_type", None)]
        dispatcher.utter_message(
            response="utter_product_which",
            buttons=[
                {"title": t, "payload": f'/inform{{"product_type": "{t}"}}'} for t in PRODUCT_TYPES
            ],
        )
        return [SlotSet("product_type", None)]

    async def _detail(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        product: ProductPublic,
        shown: list[ShownProduct],
    ) -> list[EventType]:
        max_age = f"–{product['max_age']}" if product.get("max_age") else "以上"
        dispatcher.utter_message(
            response="utter_product_detail",
            name=product["name"],
            product_type=product["product_type"],
            subtype=product["subtype"],
            rate=_rate_text(domain, product),
            term=product["term_label"],
            min_amount=money(product["min_amount"]),
            risk=_risk_text(domain, product),
            ages=f"{product['min_age']}{max_age}周岁",
            target=product["target_customers"],
            features=product["features"],
        )
        if product["is_investment"]:
            dispatcher.utter_message(response="utter_risk_disclosure")
        events: list[EventType] = [SlotSet("product_type", None)]
        customer_id = verified_customer_id(tracker)
        if product["sale_status"] != "on_sale":
            dispatcher.utter_message(response="utter_product_not_on_sale")
            return events
        if not customer_id:
            dispatcher.utter_message(response="utter_product_lead_needs_login")
            return events
        recommendation = next(
            (s["recommendation_id"] for s in shown if s["code"] == product["code"]), None
        )
        if recommendation:
            try:
                await CrmClient().record_interest(customer_id, recommendation, "viewed_details")
            except (CrmUnavailable, CrmError):
                logger.warning("could not record viewed_details")  # analytics only
        dispatcher.utter_message(response="utter_offer_lead", name=product["name"])
        return [
            *events,
            SlotSet("offer_lead", True),
            SlotSet("lead_product", product["code"]),
            SlotSet("lead_recommendation", str(recommendation) if recommendation else None),
        ]

    async def _compare(
        self,
        dispatcher: CollectingDispatcher,
        domain: DomainDict,
        client: CrmClient,
        shown: list[ShownProduct],
    ) -> list[EventType]:
        products = [await client.get_product(s["code"]) for s in shown]
        lines = [response_text(domain, "utter_product_compare_header")]
        lines += [
            response_text(
                domain,
                "utter_product_list_line",
                name=p["name"],
                rate=_rate_text(domain, p),
                term=p["term_label"],
                min_amount=money(p["min_amount"]),
                risk=_risk_text(domain, p),
            )
            for p in products
        ]
        dispatcher.utter_message(text="\n".join(lines))
        if any(p["is_investment"] for p in products):
            dispatcher.utter_message(response="utter_risk_disclosure")
        dispatcher.utter_message(
            response="utter_product_compare_next",
            buttons=[
                {"title": f"了解{p['name']}", "payload": f"介绍一下{p['name']}"} for p in products
            ],
        )
        return [SlotSet("product_type", None)]


class ActionInterestRate(Action):
    """Rates from the CRM's rate table (挂牌利率, 业绩比较基准, 贷款利率)."""

    def name(self) -> str:
        return "action_interest_rate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        product_type = next(tracker.get_latest_entity_values("product_type"), None)
        if product_type is None and "贷" in text:
            product_type = "贷款"
        types = [product_type] if product_type else ["定期存款", "大额存单"]
        try:
            rows = [row for t in types for row in await CrmClient().list_rates(t)]
        except (CrmUnavailable, CrmError) as exc:
            logger.error("rate table failed: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_service_unavailable")
            return [SlotSet("product_type", None)]
        months = parse_horizon_months(text)
        if months and product_type != "贷款":
            wanted = [
                r for r in rows if r["term_days"] and abs(r["term_days"] - months * 30.4) < 20
            ]
            rows = wanted or rows
        if not rows:
            dispatcher.utter_message(response="utter_rates_none")
            return [SlotSet("product_type", None)]
        lines = [response_text(domain, "utter_rates_header")]
        for row in rows:
            term = (
                f"最长{row['max_term_months'] // 12}年"
                if row["max_term_months"]
                else row["term_label"]
            )
            lines.append(
                response_text(
                    domain,
                    "utter_rates_line",
                    name=row["name"],
                    term=term,
                    rate_label=row["rate_label"],
                    rate=row["rate"],
                    min_amount=money(row["min_amount"]),
                )
            )
        lines.append(response_text(domain, "utter_rates_footer"))
        dispatcher.utter_message(text="\n".join(lines))
        if any(r["product_type"] in ("理财", "基金") for r in rows):
            dispatcher.utter_message(response="utter_risk_disclosure")
        return [SlotSet("product_type", None)]


# ---------------------------------------------------------------- interest → lead


def _offer_was_last(tracker: Tracker) -> bool:
    """Whether the bot's last turn offered a relationship-manager call (not older)."""
    seen_user = False
    event: dict[str, Any]  # reversed() loses the element type of tracker.events
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif (
            seen_user
            and event.get("event") == "action"
            and event.get("name") not in ("action_listen", None)
        ):
            return event.get("name") == "action_product_info"
    return False


class ActionRegisterInterest(Action):
    """The customer wants the product: a lead for a relationship manager, no purchase here."""

    def name(self) -> str:
        return "action_register_interest"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        customer_id = verified_customer_id(tracker)
        code = tracker.get_slot("lead_product")
        if not customer_id or not code or not _offer_was_last(tracker):
            dispatcher.utter_message(response="utter_anything_else")
            return CLEAR_LEAD
        recommendation = tracker.get_slot("lead_recommendation")
        try:
            lead = await CrmClient().create_lead(
                customer_id,
                product_code=code,
                channel=crm_channel(tracker),
                recommendation_id=int(recommendation) if recommendation else None,
            )
        except CrmError as exc:
            if exc.code == "product_not_suitable":
                dispatcher.utter_message(response="utter_lead_not_suitable")
            else:
                logger.error("lead refused: %s", exc.code)
                dispatcher.utter_message(response="utter_service_unavailable")
            return CLEAR_LEAD
        except CrmUnavailable:
            logger.error("lead failed: crm unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return CLEAR_LEAD
        response = "utter_lead_exists" if lead.get("already_exists") else "utter_lead_created"
        dispatcher.utter_message(
            response=response, name=lead["product"]["name"], reference=lead["reference"]
        )
        return CLEAR_LEAD


class ActionDeclineLead(Action):
    def name(self) -> str:
        return "action_decline_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        customer_id = verified_customer_id(tracker)
        recommendation = tracker.get_slot("lead_recommendation")
        if customer_id and recommendation and _offer_was_last(tracker):
            try:
                await CrmClient().record_interest(
                    customer_id, int(recommendation), "not_interested"
                )
            except (CrmUnavailable, CrmError):
                logger.warning("could not record not_interested")  # analytics only
        dispatcher.utter_message(response="utter_lead_declined")
        return CLEAR_LEAD
