"""Tests for the spaCy gazetteer ruler and the linear intent classifier."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.classifiers import char_text
from bot.nlu.spacy_entities import canonical_or_none, find_gazetteer_entities, find_time_periods


def _values(text: str, intent: str) -> list[tuple[str, Any]]:
    return [(e["entity"], e["value"]) for e in find_gazetteer_entities(text, intent)]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # synonyms become canonical product types
        ("三年定存利率多少", "ask_interest_rate", [("product_type", "定期存款")]),
        ("想申请房贷", "ask_loan", [("product_type", "贷款")]),
        # 信用卡 is a product in a product question, an account type elsewhere
        ("推荐一张信用卡", "ask_product_recommendation", [("product_type", "信用卡")]),
        ("信用卡还剩多少额度", "query_credit_card", [("account_type", "信用卡")]),
        ("工资卡余额", "check_balance", [("account_type", "储蓄卡")]),
        # the ruler labels 信用卡 once (product_type); outside product intents it is an account
        ("帮我看看信用卡可用额度", "query_credit_card", [("account_type", "信用卡")]),
        ("信用卡的", "inform", [("account_type", "信用卡")]),
        # character matching: jieba glues 手续费收 into one word, the ruler still sees 手续费
        ("手续费收这么多凭什么", "complain", [("complaint_category", "收费")]),
        # product words outside product intents are not product_type
        ("理财亏了我要投诉", "complain", [("complaint_category", "产品")]),
        # ratings: words and numbers, only when rating
        ("非常不满意", "give_rating", [("rating", 1)]),
        ("五星好评", "give_rating", [("rating", 5)]),
        ("4", "give_rating", [("rating", 4)]),
        # one complaint category: the first keyword
        ("APP老是闪退还乱收费", "complain", [("complaint_category", "系统故障")]),
    ],
)
def test_gazetteer_entities(text: str, intent: str, expected: list[tuple[str, Any]]) -> None:
    assert _values(text, intent) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("查一下上个月的流水", ["上个月"]),
        ("最近两周的交易", ["最近两周"]),
        ("今年三月的", ["今年三月"]),
        ("去年12月的明细", ["去年12月"]),
        ("帮我查余额", []),
    ],
)
def test_time_periods(text: str, expected: list[str]) -> None:
    assert [e["value"] for e in find_time_periods(text)] == expected


@pytest.mark.parametrize(
    ("entity", "value", "expected"),
    [
        ("rating", "5", 5),
        ("rating", "7", None),
        ("product_type", "定存", None),
        ("product_type", "理财", "理财"),
    ],
)
def test_canonical_or_none(entity: str, value: Any, expected: Any) -> None:
    assert canonical_or_none(entity, value) == expected


def test_char_text_maps_digits_and_drops_spaces() -> None:
    # a phone number is "a long run of digits" to the classifier, whatever the digits
    assert char_text("手机 138 0013 8000") == "手机00000000000"


def test_pattern_period_beats_a_shorter_learned_one() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.spacy_entities import GazetteerEntityRuler

    message = Message(
        data={
            "text": "最近三个月",
            "intent": {"name": "inform", "confidence": 0.9},
            "entities": [
                {
                    "entity": "time_period",
                    "start": 4,
                    "end": 5,
                    "value": "月",
                    "extractor": "CRFEntityExtractor",
                }
            ],
        }
    )
    GazetteerEntityRuler().process([message])
    found = [(e["entity"], e["value"]) for e in message.get("entities")]
    assert found == [("time_period", "最近三个月")]
