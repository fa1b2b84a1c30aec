"""Tests for the custom NLU components in bot.nlu.components, on real Rasa Messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import ChineseTextNormalizer, StructuredEntityExtractor

REPO = Path(__file__).resolve().parents[2]
EXTRACTOR = "StructuredEntityExtractor"


def _create(cls: Any, tmp_path: Path, config: dict[str, Any] | None = None) -> Any:
    full_config = {**getattr(cls, "get_default_config", dict)(), **(config or {})}
    return cls.create(
        full_config,
        LocalModelStorage(tmp_path),
        Resource(cls.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture
def normaliser(tmp_path: Path) -> ChineseTextNormalizer:
    return _create(ChineseTextNormalizer, tmp_path)


@pytest.fixture
def extractor(tmp_path: Path) -> StructuredEntityExtractor:
    return _create(StructuredEntityExtractor, tmp_path)


def _training_data(yaml_text: str) -> TrainingData:
    return RasaYAMLReader().reads(yaml_text)


# ------------------------------------------------------------------ normaliser


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的卡遺失了，請幫我凍結", "我的卡遗失了,请帮我冻结"),  # Traditional + full-width comma
        ("查ＡＴＭ取款記錄", "查ATM取款记录"),  # full-width Latin letters
        ("帳戶餘額", "账户余额"),  # bank spelling 账
        ("查余额", "查余额"),  # nothing to do
    ],
)
def test_normaliser_process_rewrites_text(
    normaliser: ChineseTextNormalizer, text: str, expected: str
) -> None:
    [message] = normaliser.process([Message(data={TEXT: text})])
    assert message.get(TEXT) == expected


def test_normaliser_process_keeps_original_in_output(normaliser: ChineseTextNormalizer) -> None:
    # the parse result shows the normalised text; the typed text must not be lost
    [message] = normaliser.process([Message(data={TEXT: "餘額"})])
    assert message.as_dict(only_output_properties=True)["text_original"] == "餘額"


def test_normaliser_process_changes_fingerprint(normaliser: ChineseTextNormalizer) -> None:
    # Message caches its fingerprint; writing message.data directly would keep a stale one
    message = Message(data={TEXT: "餘額"})
    before = message.fingerprint()
    normaliser.process([message])
    assert message.fingerprint() != before


def test_normaliser_process_training_data_keeps_offsets_and_values(
    normaliser: ChineseTextNormalizer,
) -> None:
    data = _training_data(
        """
version: "3.1"
nlu:
- intent: inform
  examples: |
    - 我的[儲蓄卡](account_type)，[上個月](time_period)的
    - [借記卡]{"entity": "account_type", "value": "储蓄卡"}
- synonym: 储蓄卡
  examples: |
    - 銀行卡
"""
    )
    normaliser.process_training_data(data)
    first, second = data.training_examples
    assert first.get(TEXT) == "我的储蓄卡,上个月的"
    # offsets unchanged and still cover the (now Simplified) surface; value follows
    assert [(e["start"], e["end"], e["value"]) for e in first.get(ENTITIES)] == [
        (2, 5, "储蓄卡"),
        (6, 9, "上个月"),
    ]
    assert [first.get(TEXT)[e["start"] : e["end"]] for e in first.get(ENTITIES)] == [
        "储蓄卡",
        "上个月",
    ]
    # an explicit synonym value is not touched; the surface text is normalised
    assert second.get(TEXT) == "借记卡"
    assert second.get(ENTITIES)[0]["value"] == "储蓄卡"
    # a Traditional synonym key also works once the text is Simplified
    assert data.entity_synonyms["银行卡"] == "储蓄卡"


def test_normaliser_then_jieba_tokens_align_with_entities(
    normaliser: ChineseTextNormalizer, tmp_path: Path
) -> None:
    data = _training_data(
        """
version: "3.1"
nlu:
- intent: query_transactions
  examples: |
    - 查[信用卡](account_type)[上個月](time_period)的流水
"""
    )
    tokenizer = _create(JiebaTokenizer, tmp_path, {"dictionary_path": str(REPO / "data/nlu/dict")})
    tokenizer.process_training_data(normaliser.process_training_data(data))
    [example] = data.training_examples
    starts = {t.start for t in example.get("text_tokens")}
    ends = {t.end for t in example.get("text_tokens")}
    for entity in example.get(ENTITIES):
        assert entity["start"] in starts and entity["end"] in ends, entity


# ------------------------------------------------------------------- extractor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # phone in a sentence, spaced: span covers the spaced digits
        (
            "手机号是138 0013 8000",
            [{"entity": "phone_number", "start": 4, "end": 17, "value": "13800138000"}],
        ),
        # a code next to a phone: both, and the phone is not read as a code
        (
            "13800138000，验证码482913",
            [
                {"entity": "phone_number", "start": 0, "end": 11, "value": "13800138000"},
                {"entity": "verification_code", "start": 15, "end": 21, "value": "482913"},
            ],
        ),
        # Chinese-digit code
        (
            "验证码是四八二九一三",
            [{"entity": "verification_code", "start": 4, "end": 10, "value": "482913"}],
        ),
        # card number with spaces
        (
            "卡号6222 0212 3456 7890",
            [{"entity": "card_number", "start": 2, "end": 21, "value": "6222021234567890"}],
        ),
        # card tail: the four digits only
        ("尾号1234的那张", [{"entity": "card_tail", "start": 2, "end": 6, "value": "1234"}]),
        # amounts: int when whole, float otherwise
        ("1.5万", [{"entity": "amount", "start": 0, "end": 4, "value": 15000}]),
        ("两百块", [{"entity": "amount", "start": 0, "end": 2, "value": 200}]),
        ("12.5元", [{"entity": "amount", "start": 0, "end": 4, "value": 12.5}]),
        # an amount is not a code
        ("100000元", [{"entity": "amount", "start": 0, "end": 6, "value": 100000}]),
        # nothing structured
        ("查一下上个月的流水", []),
    ],
)
def test_extractor_process(
    extractor: StructuredEntityExtractor, text: str, expected: list[dict[str, Any]]
) -> None:
    [message] = extractor.process([Message(data={TEXT: text})])
    entities = message.get(ENTITIES)
    assert [{k: e[k] for k in ("entity", "start", "end", "value")} for e in entities] == expected
    assert all(e["extractor"] == EXTRACTOR for e in entities)
    assert all(type(e["value"]) is type(x["value"]) for e, x in zip(entities, expected))


def test_extractor_output_is_in_parse_result(extractor: StructuredEntityExtractor) -> None:
    [message] = extractor.process([Message(data={TEXT: "482913"})])
    assert message.as_dict(only_output_properties=True)[ENTITIES] == [
        {
            "entity": "verification_code",
            "start": 0,
            "end": 6,
            "value": "482913",
            "confidence_entity": 1.0,
            "extractor": EXTRACTOR,
        }
    ]


def test_extractor_keeps_diet_entities_and_skips_duplicates(
    extractor: StructuredEntityExtractor,
) -> None:
    diet_entities = [
        {"entity": "account_type", "start": 0, "end": 3, "value": "信用卡", "extractor": "DIET"},
        {"entity": "amount", "start": 5, "end": 7, "value": "五千", "extractor": "DIET"},
    ]
    message = Message(data={TEXT: "信用卡还了五千,验证码482913", ENTITIES: list(diet_entities)})
    extractor.process([message])
    entities = message.get(ENTITIES)
    assert entities[:2] == diet_entities  # untouched, first
    # DIET already has the amount span: only the code is added
    assert [(e["entity"], e["value"]) for e in entities[2:]] == [("verification_code", "482913")]


def test_extractor_dimensions_limit_output(tmp_path: Path) -> None:
    only_phones = _create(StructuredEntityExtractor, tmp_path, {"dimensions": ["phone_number"]})
    [message] = only_phones.process([Message(data={TEXT: "13800138000 验证码482913"})])
    assert [e["entity"] for e in message.get(ENTITIES)] == ["phone_number"]


def test_extractor_process_training_data_adds_nothing(
    extractor: StructuredEntityExtractor,
) -> None:
    # annotating training data would teach DIET to compete with the exact extractor
    data = _training_data(
        """
version: "3.1"
nlu:
- intent: inform
  examples: |
    - 手机号13800138000
"""
    )
    extractor.process_training_data(data)
    assert data.training_examples[0].get(ENTITIES) in (None, [])


# ----------------------------------------------------------------------- data


CONTRACT_INTENTS = [
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope",
    "inform", "check_balance", "query_transactions", "query_credit_card", "report_card_loss",
]  # fmt: skip


@pytest.fixture(scope="module")
def nlu_data() -> TrainingData:
    importer = TrainingDataImporter.load_from_dict(training_data_paths=[str(REPO / "data/nlu")])
    return importer.get_nlu_data()


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_every_contract_intent_has_40_examples(nlu_data: TrainingData, intent: str) -> None:
    assert nlu_data.number_of_examples_per_intent.get(intent, 0) >= 40


def test_account_type_values_are_canonical(nlu_data: TrainingData) -> None:
    values = {
        nlu_data.entity_synonyms.get(e["value"], e["value"])
        for m in nlu_data.entity_examples
        for e in m.get(ENTITIES)
        if e["entity"] == "account_type"
    }
    # Traditional surface forms (儲蓄卡) are canonicalised by the normaliser at train time
    assert values <= {"储蓄卡", "信用卡", "儲蓄卡"}


def test_structured_entities_are_not_annotated(nlu_data: TrainingData) -> None:
    structured = {"phone_number", "card_number", "card_tail", "verification_code", "amount"}
    assert not {e["entity"] for m in nlu_data.entity_examples for e in m.get(ENTITIES)} & structured
