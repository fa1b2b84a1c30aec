"""Regression floor: the trained model on the held-out set (run by `make test-nlu`).

`make test-nlu` trains models/bank-assistant.tar.gz first (via `make train`, only when
its inputs changed). The floors are a few points under the figures in reports/nlu_eval.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
MODEL = Path(os.environ.get("NLU_MODEL", REPO / "models/bank-assistant.tar.gz"))

from scripts.eval_nlu import (  # noqa: E402
    ENTITY_TYPES,
    canonical_value,
    entity_metrics,
    intent_metrics,
    load_test_examples,
)

INTENT_MACRO_F1_FLOOR = 0.95
ENTITY_F1_FLOOR = 0.95
FAQ_TOPIC_ACCURACY_FLOOR = 0.86


@pytest.fixture(scope="module")
def results() -> dict:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    examples = load_test_examples()

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(e["text"]) for e in examples]

    parses = asyncio.run(parse_all())
    predicted, entities, topics = [], [], []
    for parse in parses:
        ranking = [r for r in parse["intent_ranking"] if r["name"] != "nlu_fallback"]
        predicted.append(ranking[0]["name"])
        entities.append(
            [
                (e["entity"], canonical_value(e["entity"], e["value"]))
                for e in parse["entities"]
                if e["entity"] in ENTITY_TYPES
            ]
        )
        topics.append(
            ((parse.get("response_selector") or {}).get("faq") or {})
            .get("response", {})
            .get("intent_response_key")
        )
    faq = [(e["topic"], t) for e, t in zip(examples, topics) if e["topic"]]
    return {
        "intents": intent_metrics([e["intent"] for e in examples], predicted),
        "entities": entity_metrics([e["entities"] for e in examples], entities),
        "faq_topic_accuracy": sum(g == p for g, p in faq) / len(faq),
    }


def test_intent_macro_f1_floor(results: dict) -> None:
    assert results["intents"]["macro_f1"] >= INTENT_MACRO_F1_FLOOR, results["intents"]["confused"]


def test_entity_f1_floor(results: dict) -> None:
    assert results["entities"]["f1"] >= ENTITY_F1_FLOOR, results["entities"]["per_entity"]


def test_faq_topic_accuracy_floor(results: dict) -> None:
    assert results["faq_topic_accuracy"] >= FAQ_TOPIC_ACCURACY_FLOOR
