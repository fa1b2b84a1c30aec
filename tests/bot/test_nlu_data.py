"""Checks of the NLU training data, the FAQ knowledge base and the held-out set."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bot.nlu.spacy_entities import CANONICAL  # noqa: E402
from scripts.eval_nlu import leaked_utterances, load_test_examples  # noqa: E402
from trainer.project import DOMAIN  # noqa: E402

# the intent and entity names other tools key on (a copy of the project's NLU contract)
CONTRACT = REPO / "docs" / "intents.md"


def _contract_intents() -> list[str]:
    if not CONTRACT.is_file():
        raise FileNotFoundError(f"{CONTRACT} is missing: it lists the intents the data must cover")
    return re.findall(r"^\| (\w+) \|", CONTRACT.read_text().split("## Entities")[0], re.M)[1:]


CONTRACT_INTENTS = _contract_intents()


@pytest.fixture(scope="module")
def domain() -> Domain:
    """Every file of the domain directory, merged by Rasa."""
    return Domain.load(str(REPO / DOMAIN))


@pytest.fixture(scope="module")
def nlu_data() -> TrainingData:
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(REPO / DOMAIN),
        training_data_paths=[str(REPO / "data/nlu"), str(REPO / "data/faq")],
    )
    return importer.get_nlu_data()


def test_contract_is_read() -> None:
    assert {"faq", "report_fraud", "give_rating", "check_balance"} <= set(CONTRACT_INTENTS)


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_every_contract_intent_has_30_examples(nlu_data: TrainingData, intent: str) -> None:
    assert nlu_data.number_of_examples_per_intent.get(intent, 0) >= 30


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_every_contract_intent_is_in_the_domain(domain: Domain, intent: str) -> None:
    assert intent in domain.intents


def test_faq_has_60_topics_each_with_paraphrases_and_an_answer(nlu_data: TrainingData) -> None:
    topics: dict[str, int] = {}
    for message in nlu_data.intent_examples:
        if message.get("intent") == "faq":
            key = message.get("intent_response_key")
            topics[key] = topics.get(key, 0) + 1
    assert len(topics) >= 60
    assert min(topics.values()) >= 5
    for key in topics:
        answers = nlu_data.responses.get(f"utter_{key}")
        assert answers and answers[0]["text"].strip(), key


def test_faq_answers_name_no_real_bank_or_hotline(nlu_data: TrainingData) -> None:
    banned = re.compile(r"工商银行|建设银行|农业银行|中国银行|招商银行|交通银行|955\d\d|400-?\d{3}")
    for key, answers in nlu_data.responses.items():
        if key.startswith("utter_faq/"):
            assert not banned.search(answers[0]["text"]), key


@pytest.mark.parametrize("entity", ["product_type", "complaint_category", "rating", "account_type"])
def test_annotated_values_are_canonical(nlu_data: TrainingData, entity: str) -> None:
    values = {
        nlu_data.entity_synonyms.get(e["value"], e["value"])
        for m in nlu_data.entity_examples
        for e in m.get("entities")
        if e["entity"] == entity
    }
    if entity == "rating":
        values = {int(v) for v in values}
    # Traditional surface forms are canonicalised by the normaliser at train time
    values -= {"儲蓄卡", "理財", "大額存單", "貸款"}
    assert values <= CANONICAL[entity]


def test_heldout_set_has_300_utterances_covering_every_intent() -> None:
    examples = load_test_examples()
    assert len(examples) >= 300
    assert set(CONTRACT_INTENTS) <= {e["intent"] for e in examples}


def test_no_heldout_utterance_is_in_the_training_data(nlu_data: TrainingData) -> None:
    # Compared after normalisation (Traditional/full-width/spaces), so a copy in another
    # script does not slip through.
    assert leaked_utterances(nlu_data, load_test_examples()) == []


def test_leak_check_catches_a_copy(nlu_data: TrainingData) -> None:
    copy = {"text": "查　餘額", "intent": "check_balance", "topic": None, "entities": []}
    assert leaked_utterances(nlu_data, [copy]) == ["查　餘額"]
