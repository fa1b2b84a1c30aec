"""Custom Rasa 3 NLU components for Chinese bank-customer messages.

``ChineseTextNormalizer`` goes first in the pipeline (before ``JiebaTokenizer``);
``StructuredEntityExtractor`` goes after ``EntitySynonymMapper``. Both are stateless
(nothing to train or persist).

Why the normaliser is registered as a ``MESSAGE_FEATURIZER``: in the default recipe
only tokenizers and featurizers get a ``process_training_data`` node in the training
graph (``DefaultV1Recipe._add_nlu_train_nodes``); any other component type would
normalise inference messages but not the training data. It is not a ``Tokenizer``
subclass, so the "only one tokenizer" validation does not count it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bankkit.amounts import find_amounts
from bankkit.chars import normalise_chars
from bankkit.identifiers import (
    find_card_numbers,
    find_card_tails,
    find_phones,
    find_verification_codes,
)
from bankkit.text import Span
from bot.nlu.stateless import StatelessComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseTextNormalizer(StatelessComponent):
    """Rewrites the message text: Traditional → Simplified, full-width → half-width.

    The rewrite is length-preserving (:func:`bankkit.chars.normalise_chars`), so
    entity ``start``/``end`` offsets of training examples stay valid, and offsets in
    the parse result also index the text the customer typed. The parse result's
    ``text`` is the normalised text; the original is kept in ``text_original``.
    """

    ORIGINAL_TEXT_KEY = "text_original"

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Only Chinese makes sense here."""
        return ["zh"]

    def _normalise_message(self, message: Message, *, training: bool) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        normalised = normalise_chars(text)
        if normalised == text:
            return
        if len(normalised) != len(text):  # normalise_chars guarantees this; be loud
            raise ValueError("ChineseTextNormalizer must preserve text length")
        if not training:
            message.set(self.ORIGINAL_TEXT_KEY, text, add_to_output=True)
        # Message.set resets the cached fingerprint, unlike writing message.data.
        message.set(TEXT, normalised)
        if training:
            self._normalise_entity_values(message, original=text)

    @staticmethod
    def _normalise_entity_values(message: Message, *, original: str) -> None:
        # An entity without an explicit value has value == its surface text; keep
        # value and surface in sync so EntitySynonymMapper learns 儲蓄卡 as 储蓄卡.
        for entity in message.get(ENTITIES) or []:
            start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
            value = entity.get(ENTITY_ATTRIBUTE_VALUE)
            if isinstance(value, str) and start is not None and original[start:end] == value:
                entity[ENTITY_ATTRIBUTE_VALUE] = normalise_chars(value)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises the text of every training example and the synonym keys."""
        for example in training_data.training_examples:
            self._normalise_message(example, training=True)
        # Synonym keys are matched against (normalised) entity text at inference.
        synonyms = training_data.entity_synonyms
        for key in list(synonyms):
            normalised_key = normalise_chars(key)
            if normalised_key != key:
                synonyms.setdefault(normalised_key, synonyms[key])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalises the text of incoming messages in place."""
        for message in messages:
            self._normalise_message(message, training=False)
        return messages


# entity name -> finder; the order decides which wins when spans overlap
_FINDERS: list[tuple[str, Callable[[str], list[Span]]]] = [
    ("card_number", find_card_numbers),
    ("phone_number", find_phones),
    ("verification_code", find_verification_codes),
    ("card_tail", find_card_tails),
    ("amount", find_amounts),
]


def _number(value: str) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class StructuredEntityExtractor(StatelessComponent, EntityExtractorMixin):
    """Rule-based extractor for phone_number, card_number, card_tail, verification_code
    and amount.

    Emits entities shaped like Rasa's own extractors::

        {"entity": "phone_number", "start": 4, "end": 15, "value": "13800138000",
         "extractor": "StructuredEntityExtractor", "confidence_entity": 1.0}

    ``value`` is a string of digits for the ids (so leading zeros survive) and a
    number (``int`` if whole, else ``float``) for ``amount``. A span already covered
    by an entity of the same type (e.g. from DIET) is not added again.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """``dimensions``: entity names to emit; empty means all."""
        return {"dimensions": []}

    def __init__(self, config: dict[str, Any]) -> None:
        """Creates the extractor."""
        self._dimensions = set(config.get("dimensions") or [])

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> StructuredEntityExtractor:
        """The extractor for the merged configuration."""
        return cls(config)

    def extract(self, text: str) -> list[dict[str, Any]]:
        """All structured entities in ``text``, without overlaps, in text order."""
        found: list[dict[str, Any]] = []
        for entity_name, finder in _FINDERS:
            if self._dimensions and entity_name not in self._dimensions:
                continue
            for span in finder(text):
                if any(
                    e[ENTITY_ATTRIBUTE_START] < span.end and span.start < e[ENTITY_ATTRIBUTE_END]
                    for e in found
                ):
                    continue
                found.append(
                    {
                        ENTITY_ATTRIBUTE_TYPE: entity_name,
                        ENTITY_ATTRIBUTE_START: span.start,
                        ENTITY_ATTRIBUTE_END: span.end,
                        ENTITY_ATTRIBUTE_VALUE: _number(span.value)
                        if entity_name == "amount"
                        else span.value,
                        "confidence_entity": 1.0,
                    }
                )
        found.sort(key=lambda e: e[ENTITY_ATTRIBUTE_START])
        return self.add_extractor_name(found)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the structured entities to each message's ``entities``."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            existing = list(message.get(ENTITIES) or [])
            new = [
                entity
                for entity in self.extract(text)
                if not any(
                    other.get(ENTITY_ATTRIBUTE_TYPE) == entity[ENTITY_ATTRIBUTE_TYPE]
                    and other.get(ENTITY_ATTRIBUTE_START, -1) < entity[ENTITY_ATTRIBUTE_END]
                    and entity[ENTITY_ATTRIBUTE_START] < other.get(ENTITY_ATTRIBUTE_END, -1)
                    for other in existing
                )
            ]
            message.set(ENTITIES, existing + new, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves training data untouched.

        The structured entities are deliberately *not* annotated in the YAML and must
        not be added here either: DIET would then learn to tag them and compete with
        this exact extractor. (The default recipe does not call this for entity
        extractors anyway; it exists for symmetry and tests.)
        """
        return training_data


__all__ = ["ChineseTextNormalizer", "StructuredEntityExtractor"]
