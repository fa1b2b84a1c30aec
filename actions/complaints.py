"""Complaints: the complaint form (what happened, category, account, time, contact,
read-back), filing in the CRM, status queries, and offering a human to angry customers."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import event_intent, latest_intent, user_turns
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import ComplaintCreate, ComplaintStatusPublic, IsoDateTime
from actions.forms import VerifiedCustomerFormValidation, yes_or_no
from actions.identity import channel_of, verified_customer_id
from actions.sentiment import is_angry
from bankkit.complaints import COMPLAINT_CATEGORIES, OPEN_STATUSES, ComplaintCategory
from bankkit.identifiers import extract_card_tail, extract_phone
from bankkit.masking import mask_pii

logger = logging.getLogger(__name__)

NOT_GIVEN = "未提供"
CHANGE_CATEGORY = "修改"  # payload value of the read-back's 修改类别 button
FORM_SLOTS = (
    "complaint_description",
    "complaint_category",
    "complaint_category_guess",
    "complaint_account",
    "complaint_time",
    "complaint_contact_method",
    "complaint_phone",
    "complaint_confirmed",
)
# Entity slots the complaint's answers may have filled; cleared so they do not leak into
# the customer's next account question.
REQUEST_SLOTS = ("time_period", "card_tail", "account_type")
VERIFICATION_FREE = ("complaint_phone",)  # a verified customer's phone is in the CRM

# Keywords that point at a category; checked in this order (the first hit wins), so the
# more specific money and fault words come before the generic service ones.
CATEGORY_KEYWORDS: list[tuple[ComplaintCategory, tuple[str, ...]]] = [
    (
        "系统故障",
        (
            "闪退",
            "死机",
            "登不上",
            "登录不了",
            "打不开",
            "系统",
            "故障",
            "APP",
            "网银",
            "转账失败",
            "交易失败",
            "验证码",
            "吞",
            "ATM",
            "卡住",
            "转圈",
            "U盾",
            "崩",
        ),
    ),
    (
        "收费",
        (
            "收费",
            "手续费",
            "年费",
            "扣费",
            "扣了",
            "扣钱",
            "管理费",
            "短信费",
            "利息",
            "乱收",
            "费用",
            "滞纳金",
        ),
    ),
    ("产品", ("理财", "基金", "保险", "存单", "产品", "收益", "亏", "积分", "搭售")),
    (
        "业务办理",
        (
            "排队",
            "办理",
            "办不了",
            "跑了",
            "手续",
            "材料",
            "销户",
            "开户",
            "补卡",
            "审核",
            "窗口",
            "效率",
            "拖",
        ),
    ),
    (
        "服务态度",
        (
            "态度",
            "不耐烦",
            "骂",
            "凶",
            "爱理不理",
            "冷漠",
            "推销",
            "柜员",
            "大堂经理",
            "客服",
            "员工",
            "服务",
        ),
    ),
]
_COMPLAINT_NUMBER = re.compile(r"TS\s*\d{12}", re.IGNORECASE)
_FILLER = re.compile(
    r"(我要|我想|我需要|帮我|我|要|想)?(投诉|投訴|反映|提意见|登记|反馈|一下|个|你们|！|!|。|，|,|\s)"
)
_SKIP_WORDS = (
    "跳过",
    "没有",
    "不涉及",
    "无",
    "不记得",
    "记不清",
    "不知道",
    "忘了",
    "不清楚",
    "不用",
    "没",
)


def infer_category(text: str) -> str | None:
    """The complaint category the customer's words point to, or None."""
    upper = (text or "").upper()
    for category, words in CATEGORY_KEYWORDS:
        if any(word.upper() in upper for word in words):
            return category
    return None


def is_substantive(text: str) -> bool:
    """Does the message already say what happened (not just "我要投诉")?"""
    return len(_FILLER.sub("", text or "")) >= 5


def extract_complaint_number(text: str) -> str | None:
    match = _COMPLAINT_NUMBER.search(text or "")
    return match.group().replace(" ", "").upper() if match else None


def parse_contact_method(text: str, *, verified: bool) -> str | None:
    value = (text or "").upper()
    if "短信" in value:
        return "短信"
    if any(w in value for w in ("手机银行", "APP", "站内", "消息")) and verified:
        return "手机银行消息"
    if any(w in value for w in ("电话", "打给我", "来电", "致电", "回电")):
        return "电话"
    return None


def _is_skip(text: str) -> bool:
    value = (text or "").strip()
    return len(value) <= 6 and any(word in value for word in _SKIP_WORDS)


def _latest(tracker: Tracker) -> dict[str, Any]:
    return tracker.latest_message or {}


def _entity(message: dict[str, Any], name: str) -> Any:
    for entity in message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def _complaint_turns(tracker: Tracker) -> int:
    return sum(
        1 for e in tracker.events if e.get("event") == "user" and event_intent(e) == "complain"
    )


def _deadline(due_at: IsoDateTime) -> str:
    local = datetime.fromisoformat(due_at)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def promise_text(hours: int) -> str:
    """48 → '48小时内'; 120 → '5天内'."""
    return f"{hours}小时内" if hours <= 72 else f"{hours // 24}天内"


class ValidateComplaintForm(VerifiedCustomerFormValidation):
    skipped_when_verified = VERIFICATION_FREE

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = []
        text = str(_latest(tracker).get("text") or "")
        # An angry or repeat complainant is offered a human straight away (once).
        if (
            not tracker.get_slot("human_offered")
            and latest_intent(tracker) != "deny"
            and (is_angry(text) or _complaint_turns(tracker) >= 2)
        ):
            dispatcher.utter_message(response="utter_offer_human_angry")
            events.append(SlotSet("human_offered", True))
        return events + await super().run(dispatcher, tracker, domain)

    # ---- what happened: may already be in the message that started the form
    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        message = _latest(tracker)
        if tracker.get_slot("complaint_description") or tracker.get_slot("requested_slot"):
            return {}
        if latest_intent(tracker) != "complain":
            return {}
        text = str(message.get("text") or "")
        guess = _entity(message, "complaint_category")
        found: dict[str, Any] = {}
        if guess in COMPLAINT_CATEGORIES or infer_category(text):
            found["complaint_category_guess"] = (
                guess if guess in COMPLAINT_CATEGORIES else infer_category(text)
            )
        if is_substantive(text):
            found["complaint_description"] = text
        return found

    async def validate_complaint_description(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if len(text) < 4 or text.startswith("/"):
            dispatcher.utter_message(response="utter_complaint_description_too_short")
            return {"complaint_description": None}
        result: dict[str, Any] = {"complaint_description": text[:1000]}
        if not tracker.get_slot("complaint_category_guess"):
            guess = _entity(_latest(tracker), "complaint_category")
            result["complaint_category_guess"] = (
                guess if guess in COMPLAINT_CATEGORIES else infer_category(text)
            )
        return result

    # ---- category: inferred, then confirmed or corrected by the customer
    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        message = _latest(tracker)
        named = _entity(message, "complaint_category")
        if requested == "complaint_confirmed" and named:
            # A correction at the read-back: change the category (or ask it again).
            if named in COMPLAINT_CATEGORIES:
                return {"complaint_category": named, "complaint_confirmed": None}
            return {
                "complaint_category": None,
                "complaint_category_guess": None,
                "complaint_confirmed": None,
            }
        if requested != "complaint_category":
            return {}
        intent = latest_intent(tracker)
        if intent == "deny" and not named:
            return {}  # rejected: the customer gives up (see data/rules/complaints.yml)
        if intent == "affirm" and tracker.get_slot("complaint_category_guess"):
            return {"complaint_category": tracker.get_slot("complaint_category_guess")}
        text = str(message.get("text") or "")
        if named in COMPLAINT_CATEGORIES:
            return {"complaint_category": named}
        for category in COMPLAINT_CATEGORIES:
            if category in text:
                return {"complaint_category": category}
        return {"complaint_category": infer_category(text) or text}

    async def validate_complaint_category(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value in COMPLAINT_CATEGORIES:
            return {"complaint_category": slot_value}
        if slot_value is not None:
            dispatcher.utter_message(response="utter_complaint_category_invalid")
        return {"complaint_category": None, "complaint_category_guess": None}

    # ---- optional details
    async def validate_complaint_account(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if not text or _is_skip(text) or text.startswith("/"):
            return {"complaint_account": NOT_GIVEN}
        tail = text if re.fullmatch(r"\d{4}", text) else extract_card_tail(text)
        if tail and len(text) <= 12:
            return {"complaint_account": f"尾号{tail}"}
        return {"complaint_account": text[:100]}

    async def validate_complaint_time(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = str(slot_value or "").strip()
        if not text or _is_skip(text) or text.startswith("/"):
            return {"complaint_time": NOT_GIVEN}
        return {"complaint_time": text[:50]}

    # ---- how to reach the customer
    async def validate_complaint_contact_method(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        method = parse_contact_method(
            str(slot_value or ""), verified=bool(verified_customer_id(tracker))
        )
        if method is None:
            dispatcher.utter_message(response="utter_complaint_contact_method_invalid")
        return {"complaint_contact_method": method}

    async def validate_complaint_phone(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        phone = extract_phone(str(slot_value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"complaint_phone": phone}

    async def validate_complaint_confirmed(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return yes_or_no("complaint_confirmed", slot_value)


class ActionAskComplaintCategory(Action):
    """Ask the category: confirm the inferred one, or choose from the six."""

    def name(self) -> str:
        return "action_ask_complaint_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        guess = tracker.get_slot("complaint_category_guess")
        buttons = [
            {
                "title": category,
                "payload": "/inform"
                + json.dumps({"complaint_category": category}, ensure_ascii=False),
            }
            for category in COMPLAINT_CATEGORIES
            if category != guess
        ]
        if guess in COMPLAINT_CATEGORIES:
            buttons.insert(0, {"title": f"是的，{guess}", "payload": "/affirm"})
            dispatcher.utter_message(
                response="utter_ask_complaint_category_guess", guess=guess, buttons=buttons
            )
        else:
            dispatcher.utter_message(response="utter_ask_complaint_category", buttons=buttons)
        return []


class ActionAskComplaintConfirmed(Action):
    """Read the complaint back before filing it."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        verified = bool(verified_customer_id(tracker))
        phone = tracker.get_slot("complaint_phone")
        contact = tracker.get_slot("complaint_contact_method") or ""
        if phone and not verified:
            contact = f"{contact}（{mask_pii(phone)}）"
        description = str(tracker.get_slot("complaint_description") or "")
        dispatcher.utter_message(
            response="utter_ask_complaint_confirmed",
            category=tracker.get_slot("complaint_category"),
            description=description if len(description) <= 80 else description[:80] + "…",
            account=tracker.get_slot("complaint_account") or NOT_GIVEN,
            time=tracker.get_slot("complaint_time") or NOT_GIVEN,
            contact=contact,
        )
        return []


class ActionFileComplaint(Action):
    def name(self) -> str:
        return "action_file_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in (*FORM_SLOTS, *REQUEST_SLOTS)]
        if tracker.get_slot("complaint_confirmed") is not True:
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return [*reset, SlotSet("complaint_filed", False)]
        category = tracker.get_slot("complaint_category")
        description = tracker.get_slot("complaint_description")
        contact_method = tracker.get_slot("complaint_contact_method")
        if not (category and description and contact_method):
            # the form asks these before the read-back; the CRM refuses a complaint lacking one
            logger.error("complaint not filed: the form's answers are missing")
            dispatcher.utter_message(response="utter_complaint_file_failed")
            return [SlotSet("complaint_filed", False)]
        customer_id = verified_customer_id(tracker)
        account = tracker.get_slot("complaint_account")
        occurred = tracker.get_slot("complaint_time")
        complaint: ComplaintCreate = {
            "category": category,
            "description": description,
            "contact_method": contact_method,
            "channel": channel_of(tracker),
            "customer_id": int(customer_id) if customer_id else None,
            "contact_phone": None if customer_id else tracker.get_slot("complaint_phone"),
            "account_ref": None if account in (None, NOT_GIVEN) else account,
            "occurred_text": None if occurred in (None, NOT_GIVEN) else occurred,
            "conversation_id": tracker.sender_id[:100],
        }
        # One key per conversation turn: an action-server retry files the complaint once.
        key = f"{tracker.sender_id}:{user_turns(tracker)}"[:100]
        try:
            filed = await CrmClient().file_complaint(complaint, idempotency_key=key)
        except (CrmUnavailable, CrmError) as exc:
            logger.error("complaint not filed: %s", getattr(exc, "code", "unavailable"))
            dispatcher.utter_message(response="utter_complaint_file_failed")
            return [SlotSet("complaint_filed", False)]
        dispatcher.utter_message(
            response="utter_complaint_filed",
            number=filed["number"],
            promise=promise_text(int(filed["sla_hours"])),
            deadline=_deadline(filed["due_at"]),
            contact=complaint["contact_method"],
        )
        events: list[EventType] = [
            *reset,
            SlotSet("complaint_number", filed["number"]),
            SlotSet("complaint_filed", True),
        ]
        if not customer_id:
            # Keep the phone so the visitor can ask about this complaint in this chat.
            events.append(SlotSet("complaint_phone", complaint["contact_phone"]))
        return events


def _status_lines(status: ComplaintStatusPublic) -> dict[str, Any]:
    note = status.get("latest_note")
    return {
        "number": status["number"],
        "category": status["category"],
        "status": status["status"],
        "deadline": _deadline(status["due_at"]),
        "note": f"\n最新进展：{note}" if note else "",
        "breach": "\n（已超过承诺时间，非常抱歉，我们已督促加急处理。）"
        if status.get("sla_breached") and status["status"] in OPEN_STATUSES
        else "",
    }


def _asked_number(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = event_intent(event)
            number = extract_complaint_number(str(event.get("text") or ""))
            if number or intent == "query_complaint_status":
                return number
    return None


async def show_complaint_status(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, customer_id: str
) -> list[EventType]:
    """Handler for a verified customer (also resumed after verification)."""
    client = CrmClient()
    number = _asked_number(tracker)
    if number:
        try:
            status = await client.complaint_status(number, customer_id=customer_id)
        except CrmError as exc:
            if exc.code == "complaint_not_found":
                dispatcher.utter_message(response="utter_complaint_not_found", number=number)
                return []
            raise
        dispatcher.utter_message(response="utter_complaint_status", **_status_lines(status))
        return []
    complaints = await client.customer_complaints(customer_id, open_only=True)
    if not complaints:
        dispatcher.utter_message(response="utter_no_open_complaints")
        return []
    dispatcher.utter_message(response="utter_open_complaints_header", count=len(complaints))
    for status in complaints[:3]:
        dispatcher.utter_message(response="utter_complaint_status", **_status_lines(status))
    return []


class ActionQueryComplaintStatus(Action):
    def name(self) -> str:
        return "action_query_complaint_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        customer_id = verified_customer_id(tracker)
        try:
            if customer_id:
                return await show_complaint_status(dispatcher, tracker, domain, customer_id)
            # A visitor asking about the complaint they filed in this very chat.
            number = _asked_number(tracker) or tracker.get_slot("complaint_number")
            phone = tracker.get_slot("complaint_phone")
            if not (number and phone):
                dispatcher.utter_message(response="utter_need_verification")
                return []
            status = await CrmClient().complaint_status(number, phone=phone)
            dispatcher.utter_message(response="utter_complaint_status", **_status_lines(status))
            return []
        except CrmError as exc:
            if exc.code == "complaint_not_found":
                dispatcher.utter_message(
                    response="utter_complaint_not_found", number=_asked_number(tracker) or ""
                )
                return []
            logger.error("complaint status refused: %s", exc.code)
        except CrmUnavailable:
            logger.error("complaint status: crm unavailable")
        dispatcher.utter_message(response="utter_service_unavailable")
        return []
