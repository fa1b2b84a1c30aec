"""Tests for the NLU report diff (trainer/checks/eval_diff.py) on small hand-made reports."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from trainer.checks.eval_diff import (
    PreviousReport,
    confusions,
    diff_reports,
    entity_macro_f1,
    format_change,
    load_previous_report,
)

REPO = Path(__file__).resolve().parents[3]


def _system(
    f1: dict[str, float],
    errors: list[tuple[str, str]],
    *,
    entity_f1: dict[str, float] | None = None,
    accuracy: float = 0.9,
) -> dict[str, Any]:
    """A system's result shaped like reports/nlu_eval.json."""
    entities = None
    if entity_f1 is not None:
        entities = {
            "precision": 1.0,
            "recall": 1.0,
            "f1": sum(entity_f1.values()) / len(entity_f1),
            "support": 10,
            "per_entity": {
                k: {"precision": v, "recall": v, "f1": v, "support": 5}
                for k, v in entity_f1.items()
            },
        }
    return {
        "accuracy": accuracy,
        "macro_f1": sum(f1.values()) / len(f1),
        "per_intent": {
            k: {"precision": v, "recall": v, "f1": v, "support": 10} for k, v in f1.items()
        },
        "confused": [[g, p, n] for (g, p), n in Counter(errors).items()],
        "entities": entities,
        "measured_at": "2026-11-29 10:00 UTC",
        "errors": [{"text": "…", "gold": g, "predicted": p, "confidence": 0.5} for g, p in errors],
    }


OLD = {
    "ours": _system(
        {"greet": 1.0, "faq": 0.9, "complain": 0.8, "thank": 0.95},
        [("complain", "faq"), ("faq", "greet")],
        entity_f1={"rating": 1.0, "account_type": 0.8},
    ),
    "tfidf": _system({"greet": 0.9, "faq": 0.8, "complain": 0.7, "thank": 0.9}, []),
}
NEW = {
    "ours": _system(
        {"greet": 1.0, "faq": 0.95, "complain": 0.7, "thank": 0.9502},
        [("complain", "faq"), ("complain", "request_human"), ("complain", "request_human")],
        entity_f1={"rating": 1.0, "account_type": 0.9},
        accuracy=0.92,
    ),
    # not re-run this time: must not be compared
    "tfidf": {**_system({"greet": 0.1, "faq": 0.1, "complain": 0.1, "thank": 0.1}, []),
              "carried_over": True},
}  # fmt: skip


def test_per_intent_changes_only_the_changed_ones_sorted_by_change() -> None:
    (ours,) = diff_reports(OLD, NEW)
    assert ours.system == "ours"
    # greet unchanged, thank +0.0002 is below what three decimals show
    assert [(c.intent, c.old, c.new) for c in ours.intents] == [
        ("complain", 0.8, 0.7),
        ("faq", 0.9, 0.95),
    ]
    assert ours.intents[0].delta == pytest.approx(-0.1)


def test_overall_intent_and_entity_macro_f1() -> None:
    (ours,) = diff_reports(OLD, NEW)
    old, new = ours.overall["intent macro-F1"]
    assert (old, new) == (pytest.approx(0.9125), pytest.approx(0.90005))
    assert ours.overall["entity macro-F1"] == (pytest.approx(0.9), pytest.approx(0.95))
    assert ours.overall["intent accuracy"] == (0.9, 0.92)


def test_new_confusions_with_counts_and_resolved_ones() -> None:
    (ours,) = diff_reports(OLD, NEW)
    # complain → faq was there before, so it is not new
    assert [(c.gold, c.predicted, c.count) for c in ours.new_confusions] == [
        ("complain", "request_human", 2)
    ]
    assert [(c.gold, c.predicted, c.old_count) for c in ours.resolved_confusions] == [
        ("faq", "greet", 1)
    ]


def test_confusions_count_every_error_not_only_the_top_ten() -> None:
    errors = [(f"intent{i}", "faq") for i in range(12)]
    result = _system({"faq": 1.0}, errors)
    result["confused"] = result["confused"][:10]  # as written by eval_nlu.py
    assert len(confusions(result)) == 12
    del result["errors"]  # an old report: fall back to the top ten
    assert len(confusions(result)) == 10


def test_a_new_intent_and_a_missing_entity_report() -> None:
    new = {"ours": _system({"greet": 1.0, "faq": 0.9, "complain": 0.8, "thank": 0.95,
                            "give_rating": 0.5}, [])}  # fmt: skip
    (ours,) = diff_reports(OLD, new)
    assert [(c.intent, c.old, c.new) for c in ours.intents] == [("give_rating", None, 0.5)]
    assert entity_macro_f1(new["ours"]) is None


def test_the_markdown_section() -> None:
    previous = PreviousReport(OLD, "the last committed report (abc1234:reports/nlu_eval.json)")
    text = "\n".join(format_change(previous, NEW, {"ours": "ours (config.yml)"}))
    assert text.startswith("## Change against the last committed report")
    assert "Compared with the last committed report (abc1234" in text
    assert "### ours (config.yml) (before: measured 2026-11-29 10:00 UTC)" in text
    assert "| intent macro-F1 | 0.913 | 0.900 | -0.012 |" in text
    assert "| entity macro-F1 | 0.900 | 0.950 | +0.050 |" in text
    assert "Per-intent F1 down:\n\n- complain: 0.800 → 0.700 (-0.100)" in text
    assert "Per-intent F1 up:\n\n- faq: 0.900 → 0.950 (+0.050)" in text
    assert "- complain → request_human: 2" in text
    assert "No longer confused: faq → greet (1)." in text
    assert "thank" not in text and "greet:" not in text
    assert "char TF-IDF" not in text and "tfidf" not in text  # carried over, not compared


def test_no_change_and_no_previous_report() -> None:
    same = "\n".join(format_change(PreviousReport(OLD, "x"), {"ours": OLD["ours"]}))
    assert "Per-intent F1: no intent changed." in same
    assert "New confusions: none." in same
    assert "| intent macro-F1 | 0.913 | 0.913 | = |" in same
    none = format_change(PreviousReport(None, "git is not available; no file"), NEW)
    assert "No earlier report to compare with (git is not available; no file)." in none


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_load_previous_report_prefers_the_committed_one(tmp_path: Path) -> None:
    report = tmp_path / "reports/nlu_eval.json"
    report.parent.mkdir()
    report.write_text(json.dumps({"ours": {"macro_f1": 0.5}}))
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "reports/nlu_eval.json")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "report")
    report.write_text(json.dumps({"ours": {"macro_f1": 0.9}}))  # newer, not committed

    previous = load_previous_report(tmp_path)

    assert previous.report == {"ours": {"macro_f1": 0.5}}
    assert previous.source.startswith("the last committed report (")


def test_load_previous_report_falls_back_to_the_file_on_disk(tmp_path: Path) -> None:
    # tmp_path is not a git repository
    report = tmp_path / "reports/nlu_eval.json"
    report.parent.mkdir()
    report.write_text(json.dumps({"ours": {"macro_f1": 0.7}}))
    previous = load_previous_report(tmp_path)
    assert previous.report == {"ours": {"macro_f1": 0.7}}
    assert "the report on disk" in previous.source


def test_load_previous_report_says_when_there_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the PATH
    previous = load_previous_report(tmp_path)
    assert previous.report is None
    assert "git is not available" in previous.source
    assert "no reports/nlu_eval.json" in previous.source


def test_the_committed_report_of_this_repository_loads() -> None:
    previous = load_previous_report(REPO)
    assert previous.report is not None and "ours" in previous.report
    assert diff_reports(previous.report, previous.report)[0].intents == []
