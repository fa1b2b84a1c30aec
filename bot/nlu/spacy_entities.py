"""Gazetteer entities with canonical values, found by a spaCy EntityRuler.

A blank spaCy ``zh`` pipeline with character segmentation (no model download) and an
``EntityRuler`` whose phrase patterns come from the training data's synonyms and from
:data:`RATING_PHRASES` / :data:`COMPLAINT_KEYWORDS` below. Every pattern carries the
canonical value as its ``id``, so the output is already normalised to INTENTS.md:
``account_type`` 储蓄卡/信用卡, ``product_type`` (定期存款, 大额存单, 理财, 基金, 贷款,
信用卡, 保险, 外汇), ``rating`` 1–5 (int) and ``complaint_category``.

The surface word 信用卡 is an ``account_type`` in an account question and a
``product_type`` in a product question, and 不满意 is a rating only when the customer is
rating; so this component runs after the intent classifier and emits a type only for
the intents where it makes sense (:data:`INTENTS_FOR`). Rule entities win over learned
ones (CRF) of the same type on the same span; learned entities of these types whose
value is not canonical are dropped.

The ruler segments by character, not with jieba: phrase matching works on tokens, and
jieba can glue a term to its neighbour (手续费收得… → 手续费收 / 得), which hid the term.
Adding the terms to jieba's global dictionary is no fix: it would also change the
tokens the intent classifier and the CRF see at inference, but not in training.
"""

from __future__ import annotations

import re
from typing import Any

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bankkit.complaints import COMPLAINT_CATEGORIES
from bot.nlu.stateless import StatelessComponent

PRODUCT_INTENTS = {
    "ask_product_recommendation",
    "ask_product_info",
    "ask_interest_rate",
    "ask_loan",
}

# a time_period only matters for account questions (and as an answer to "which period?")
PERIOD_INTENTS = {"query_transactions", "query_credit_card", "check_balance", "inform"}

# entity -> intents in which the rules emit it (None: any intent)
INTENTS_FOR: dict[str, set[str] | None] = {
    "product_type": PRODUCT_INTENTS,
    "account_type": None,  # except in product intents, where 信用卡 is a product
    "rating": {"give_rating"},
    "complaint_category": {"complain", "query_complaint_status"},
}

CANONICAL: dict[str, set[Any]] = {
    "account_type": {"储蓄卡", "信用卡"},
    "product_type": {"定期存款", "大额存单", "理财", "基金", "贷款", "信用卡", "保险", "外汇"},
    "rating": {1, 2, 3, 4, 5},
    "complaint_category": set(COMPLAINT_CATEGORIES),
}

ACCOUNT_TYPES = {
    "储蓄卡": [
        "储蓄卡",
        "借记卡",
        "银行卡",
        "工资卡",
        "储蓄账户",
        "活期账户",
        "储畜卡",
        "社保卡",
        "一卡通",
    ],
    "信用卡": ["信用卡", "贷记卡", "准贷记卡", "信用卡账户", "信用咔"],
}
PRODUCT_TYPES = {
    "定期存款": ["定期存款", "定期", "定存", "整存整取", "定期储蓄", "零存整取"],
    "大额存单": ["大额存单", "大额存款"],
    "理财": ["理财", "理财产品", "净值型理财", "养老理财", "银行理财", "结构性存款"],
    "基金": ["基金", "基金定投", "货币基金", "定投", "指数基金", "债券基金"],
    "贷款": ["贷款", "房贷", "车贷", "消费贷", "经营贷", "信用贷", "公积金贷款", "助学贷款",
             "按揭", "住房贷款", "装修贷", "抵押贷款"],
    "信用卡": ["信用卡"],
    "保险": ["保险", "寿险", "重疾险", "医疗险", "年金险"],
    "外汇": ["外汇", "外币", "美元理财"],
}  # fmt: skip
RATING_PHRASES = {
    5: ["非常满意", "十分满意", "特别满意", "很满意", "满分", "好评", "非常好", "很好", "五星", "5星",
        "五颗星", "5颗星", "五分", "5分", "超级满意", "太棒了"],
    4: ["满意", "比较满意", "挺满意", "挺满意的", "还不错", "不错", "四星", "4星", "四分", "4分", "挺好"],
    3: ["一般", "一般般", "还行", "凑合", "马马虎虎", "三星", "3星", "三分", "3分", "还可以", "中评"],
    2: ["不满意", "不太满意", "不怎么样", "两星", "二星", "2星", "两分", "二分", "2分", "不大满意", "有点失望"],
    1: ["非常不满意", "很不满意", "很差", "太差了", "太差", "差评", "一星", "1星", "一分", "1分",
        "极差", "非常差", "垃圾", "特别差"],
}  # fmt: skip
COMPLAINT_KEYWORDS = {
    "服务态度": ["服务态度", "态度", "爱理不理", "骂人", "不耐烦", "凶", "冷漠", "敷衍", "甩脸色", "不理人"],
    "收费": ["收费", "手续费", "年费", "短信费", "管理费", "扣费", "乱扣", "多扣", "扣了我", "利息太高", "扣钱"],
    "系统故障": ["闪退", "登不上", "登录不了", "系统故障", "系统", "卡住", "转账失败", "转账一直失败",
                "吞了我的钱", "吞卡", "打不开", "崩了", "故障", "bug", "BUG", "白屏", "报错"],
    "业务办理": ["排队", "跑了三趟", "跑了好几趟", "窗口太少", "手续太麻烦", "办理太慢", "办不了",
                "要求太多", "刁难", "效率", "等了", "办个业务", "拖了"],
    "产品": ["理财亏", "亏了", "亏损", "搭售", "保险", "产品说明", "收益", "误导", "夸大"],
    "其他": ["推销电话", "骚扰电话", "打不通", "电话一直", "骚扰"],
}  # fmt: skip

_NUM = "(?:[0-9]{1,2}|[一二两三四五六七八九十半]{1,3})"
# time_period is free text (the action resolves it); these cover the common phrasings
_TIME_PERIOD = re.compile(
    rf"(?:今年|去年|前年)?{_NUM}月份?"
    rf"|(?:最近|近|过去|这)(?:{_NUM})?个?(?:天|日|周|星期|礼拜|月|年)"
    r"|上上个?月|上个?月|这个?月|本月|当月|上个?(?:星期|礼拜|周)|这个?(?:星期|礼拜|周)|本周"
    r"|今天|昨天|前天|今年|去年"
)
_RATING_BARE = re.compile(r"^\s*(?:评分|打|给)?\s*([1-5])\s*(?:分|星)?\s*$")


def _patterns() -> list[dict[str, Any]]:
    patterns = []
    for label, table in (
        ("account_type", ACCOUNT_TYPES),
        ("product_type", PRODUCT_TYPES),
        ("rating", RATING_PHRASES),
        ("complaint_category", COMPLAINT_KEYWORDS),
    ):
        for value, phrases in table.items():
            for phrase in phrases:
                patterns.append({"label": label, "pattern": phrase, "id": str(value)})
    return patterns


class _Ruler:
    """The spaCy pipeline, built once per process."""

    _nlp: Any = None

    @classmethod
    def nlp(cls) -> Any:
        if cls._nlp is None:
            patterns = _patterns()
            # one token per character: phrase patterns then match whatever jieba would
            # have made of the surrounding text (手续费收得… is one jieba word)
            nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
            ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
            ruler.add_patterns(patterns)
            cls._nlp = nlp
        return cls._nlp


def find_gazetteer_entities(text: str, intent: str | None) -> list[dict[str, Any]]:
    """Rule entities in ``text`` for a message classified as ``intent``."""
    doc = _Ruler.nlp()(text)
    found: list[dict[str, Any]] = []
    for ent in doc.ents:
        label = ent.label_
        if ent.ent_id_ == "信用卡" and label in ("account_type", "product_type"):
            # the ruler keeps one label per span: 信用卡 is a product in a product
            # question and an account type everywhere else
            label = "product_type" if intent in PRODUCT_INTENTS else "account_type"
        elif label == "account_type" and intent in PRODUCT_INTENTS:
            continue
        allowed = INTENTS_FOR.get(label)
        if allowed is not None and intent not in allowed:
            continue
        value: Any = int(ent.ent_id_) if label == "rating" else ent.ent_id_
        found.append(
            {
                "entity": label,
                "start": ent.start_char,
                "end": ent.end_char,
                "value": value,
                "confidence_entity": 1.0,
            }
        )
    if intent == "give_rating" and not any(e["entity"] == "rating" for e in found):
        match = _RATING_BARE.match(text)
        if match:
            found.append(
                {
                    "entity": "rating",
                    "start": match.start(1),
                    "end": match.end(1),
                    "value": int(match.group(1)),
                    "confidence_entity": 1.0,
                }
            )
    # one complaint category and one rating per message: the first match decides
    for single in ("complaint_category", "rating"):
        for extra in [e for e in found if e["entity"] == single][1:]:
            found.remove(extra)
    return found


def find_time_periods(text: str) -> list[dict[str, Any]]:
    """Time expressions like 上个月, 最近两周, 今年三月 (value = the surface text)."""
    return [
        {
            "entity": "time_period",
            "start": m.start(),
            "end": m.end(),
            "value": m.group(),
            "confidence_entity": 1.0,
        }
        for m in _TIME_PERIOD.finditer(text)
    ]


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("start", -1) < b.get("end", -1) and b.get("start", -1) < a.get("end", -1)


def canonical_or_none(entity: str, value: Any) -> Any:
    """``value`` as the canonical value of ``entity``, or None if it is not one."""
    if entity == "rating":
        try:
            value = int(str(value).strip())
        except ValueError:
            return None
    allowed = CANONICAL.get(entity)
    if allowed is None:
        return value
    return value if value in allowed else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class GazetteerEntityRuler(StatelessComponent, EntityExtractorMixin):
    """Adds canonical account_type / product_type / rating / complaint_category entities."""

    def process(self, messages: list[Message]) -> list[Message]:
        """Merges rule entities into the message's entities (rules win)."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            rules = find_gazetteer_entities(text, intent)
            learned_periods = [
                e for e in message.get(ENTITIES) or [] if e.get("entity") == "time_period"
            ]
            if intent in PERIOD_INTENTS:
                # a pattern period beats a learned one it covers (CRF: 月 in 最近两个月)
                rules += [
                    p
                    for p in find_time_periods(text)
                    if not any(
                        _overlaps(lp, p) and (lp["end"] - lp["start"]) > (p["end"] - p["start"])
                        for lp in learned_periods
                    )
                ]
            rules = self.add_extractor_name(rules)
            kept = []
            for entity in message.get(ENTITIES) or []:
                name = entity.get("entity")
                if name == "time_period" and any(
                    r["entity"] == "time_period" and _overlaps(entity, r) for r in rules
                ):
                    continue  # a longer pattern period covers this learned one
                if name in CANONICAL:
                    if any(
                        r["entity"] == name
                        or (
                            r["start"] < entity.get("end", -1)
                            and entity.get("start", -1) < r["end"]
                        )
                        for r in rules
                    ):
                        continue  # the rule found this type (or this span) already
                    if (
                        name in INTENTS_FOR
                        and INTENTS_FOR[name] is not None
                        and intent not in INTENTS_FOR[name]
                    ):
                        continue
                    value = canonical_or_none(name, entity.get("value"))
                    if value is None:
                        continue
                    entity = {**entity, "value": value}
                kept.append(entity)
            message.set(
                ENTITIES, sorted(kept + rules, key=lambda e: e.get("start", 0)), add_to_output=True
            )
        return messages


__all__ = ["GazetteerEntityRuler", "find_gazetteer_entities", "canonical_or_none"]
