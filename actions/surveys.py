"""Satisfaction: ask for a 1–5 rating at the end of a conversation, ask why when it is
low, and record it in the CRM with the conversation's channel, intents and whether a
human took part."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import event_intent, latest_intent, user_turns
from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.crm_types import SatisfactionCreate
from actions.forms import ABORT_FORM, AbortAwareFormValidation
from actions.identity import channel_of, verified_customer_id

logger = logging.getLogger(__name__)

LOW_SCORE = 2  # at or below: ask why
RATING_SLOTS = ("rating", "rating_comment")
# Intents that are conversation management, not a customer need that was handled.
NOT_A_TOPIC = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "inform",
        "give_rating",
        "nlu_fallback",
        "bot_challenge",
        "out_of_scope",
    }
)
SKIP_COMMENT = frozenset({"跳过", "不说了", "没有", "没什么", "算了", "不用了", "无"})

_NUMERALS = {"一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5}
_EXPLICIT = re.compile(r"(?<![\d.])([1-5一二两俩三四五])\s*(?:分|星|颗星)")
_BARE = re.compile(r"^\s*(?:打|给|评)?\s*([1-5一二两三四五])\s*(?:吧|啦|呀|。|！|!)?\s*$")
# Checked in order: the negative and the intensified forms first ("不满意" contains "满意").
_PHRASES: list[tuple[int, tuple[str, ...]]] = [
    (
        1,
        (
            "非常不满意",
            "很不满意",
            "特别不满意",
            "十分不满意",
            "极其不满意",
            "太不满意",
            "非常差",
            "很差",
            "太差",
            "极差",
            "差劲",
            "垃圾",
            "糟糕",
            "零分",
            "差评",
        ),
    ),
    (2, ("不满意", "不太满意", "不怎么满意", "不好", "较差", "比较差", "有点差")),
    (
        5,
        (
            "非常满意",
            "很满意",
            "特别满意",
            "十分满意",
            "超级满意",
            "太满意",
            "满分",
            "五星",
            "完美",
            "太棒",
            "非常好",
            "特别好",
            "超赞",
        ),
    ),
    (3, ("一般", "还行", "凑合", "马马虎虎", "还可以", "过得去", "中等", "及格", "说得过去")),
    (4, ("满意", "不错", "挺好", "很好", "好评", "可以的", "蛮好")),
]


def parse_rating(text: str | None) -> int | None:
    """A 1–5 satisfaction score from what the customer typed, or None.

    非常满意→5, 满意→4, 一般/还行/三分→3, 不满意→2, 非常不满意/很差→1; digits and Chinese
    numerals with 分/星 ("4分", "三星") or alone ("5"). An explicit number wins over words.
    """
    if not text:
        return None
    value = (
        text.strip()
        .replace("＂", "")
        .translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    )
    for pattern in (_EXPLICIT, _BARE):
        match = pattern.search(value)
        if match:
            token = match.group(1)
            return int(token) if token.isdigit() else _NUMERALS[token]
    if re.search(r"\d", value) and re.search(r"(\d+)\s*分", value):
        return None  # "10分", "0分" and the like are not on the 1–5 scale
    for score, phrases in _PHRASES:
        if any(phrase in value for phrase in phrases):
            return score
    return None


def handled_intents(tracker: Tracker) -> list[str]:
    """The customer needs met in this conversation, in order of first appearance."""
    seen: dict[str, None] = {}
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        name = event_intent(event)
        if name and name not in NOT_A_TOPIC:
            seen.setdefault(str(name).split("/")[0], None)
    return list(seen)


def human_took_part(tracker: Tracker) -> bool:
    """A human agent handled part of the conversation (the handoff pauses the bot)."""
    if tracker.get_slot("human_involved"):
        return True
    return any(event.get("event") in ("pause", "resume") for event in tracker.events)


def rating_trigger(tracker: Tracker) -> str | None:
    """The intent that started the rating form (goodbye, or the complaint flow)."""
    found_loop = False
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "rating_form":
            found_loop = True
        elif found_loop and event.get("event") == "user":
            return event_intent(event)
    return None


class ValidateRatingForm(AbortAwareFormValidation):
    def name(self) -> str:
        return "validate_rating_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        score = parse_rating(str(tracker.get_slot("rating") or ""))
        if score is not None and score <= LOW_SCORE:
            return ["rating", "rating_comment"]
        return ["rating"]

    async def extract_rating(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        if requested not in ("rating", None) or tracker.get_slot("rating"):
            return {}
        if requested is None and latest_intent(tracker) != "give_rating":
            return {}  # the form starts: ask (a rating given unprompted is used at once)
        if latest_intent(tracker) in ("deny", "goodbye"):
            return {}  # the form is rejected; the rules end it politely
        text = str((tracker.latest_message or {}).get("text") or "")
        rating = next(tracker.get_latest_entity_values("rating"), None)
        return {"rating": str(rating) if rating is not None else text}

    async def validate_rating(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        score = parse_rating(str(slot_value or ""))
        if score is None:
            # Not a rating: the customer moved on. Stop asking rather than nag.
            return {"rating": None, **ABORT_FORM}
        return {"rating": str(score)}

    async def validate_rating_comment(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        comment = str(slot_value or "").strip()
        if not comment or comment in SKIP_COMMENT or comment.startswith("/"):
            return {"rating_comment": "-"}
        return {"rating_comment": comment[:500]}


class ActionRecordRating(Action):
    """Record the rating (and the reason) in the CRM, thank the customer."""

    def name(self) -> str:
        return "action_record_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = [SlotSet(slot, None) for slot in RATING_SLOTS]
        score = parse_rating(str(tracker.get_slot("rating") or ""))
        goodbye = rating_trigger(tracker) == "goodbye" or latest_intent(tracker) == "goodbye"
        if score is None:
            dispatcher.utter_message(response="utter_rating_skipped")
            return reset
        comment = tracker.get_slot("rating_comment")
        customer_id = verified_customer_id(tracker)
        rating: SatisfactionCreate = {
            # The same turn of the same conversation: a retried call updates, never doubles.
            "reference": f"{tracker.sender_id}:{user_turns(tracker)}"[:120],
            "channel": channel_of(tracker),
            "score": score,
            "comment": comment if comment and comment != "-" else None,
            "conversation_id": tracker.sender_id[:100],
            "customer_id": int(customer_id) if customer_id else None,
            "intents": handled_intents(tracker),
            "human_involved": human_took_part(tracker),
        }
        try:
            await CrmClient().record_satisfaction(rating)
        except (CrmUnavailable, CrmError) as exc:
            # The customer has done their part; a lost rating is our problem, not theirs.
            logger.error("rating not recorded: %s", getattr(exc, "code", "unavailable"))
        if score <= LOW_SCORE:
            dispatcher.utter_message(response="utter_rating_thanks_low")
        else:
            dispatcher.utter_message(response="utter_rating_thanks")
        if goodbye:
            dispatcher.utter_message(response="utter_goodbye")
        return reset
