"""Writing accepted examples into the NLU files (trainer/nlu_files.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trainer.nlu_files import (
    AnnotationError,
    Entity,
    TrainingFiles,
    insert_example,
    normalise,
    render_example,
)
from trainer.project import DOMAIN

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def files(tmp_path: Path) -> TrainingFiles:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / DOMAIN, tmp_path / DOMAIN)
    return TrainingFiles(tmp_path)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("查餘額", "查余额"),  # Traditional, as the pipeline's normaliser sees it
        ("ＯＫ", "ok"),  # full-width, case
        ("查 余额 。", "查余额"),  # spaces, edge punctuation
        ('我的[工资卡]{"entity": "account_type", "value": "储蓄卡"}余额', "我的工资卡余额"),
    ],
)
def test_examples_compare_as_the_model_sees_them(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_a_traditional_copy_of_an_example_is_a_conflict_not_a_new_example(
    files: TrainingFiles,
) -> None:
    with pytest.raises(AnnotationError) as error:
        files.add_example("deny", "查餘額", [])
    assert error.value.code == "conflict" and "check_balance" in error.value.message
    with pytest.raises(AnnotationError) as error:
        files.add_example("check_balance", "查 餘額", [])
    assert error.value.code == "duplicate"


def test_insert_keeps_every_other_byte_in_both_yaml_styles() -> None:
    flush = (
        "nlu:\n# a comment\n- intent: a\n  examples: |\n    - x\n    # kept\n    - y\n\n"
        "- intent: b\n  examples: |\n    - z\n"
    )
    assert insert_example(flush, "a", "new") == flush.replace("    - y\n", "    - y\n    - new\n")
    indented = (
        "nlu:\n  - intent: a\n    examples: |\n      - x\n"
        "  - intent: b\n    examples: |\n      - z\n"
    )
    assert insert_example(indented, "b", "new") == indented + "      - new\n"
    with pytest.raises(AnnotationError) as error:
        insert_example(flush, "c", "new")
    assert error.value.code == "no_block"


def test_render_checks_spans_and_escapes_brackets() -> None:
    assert render_example("查[x]余额", []) == "查［x］余额"
    assert render_example("我 的 卡", [Entity(2, 3, "account_type", "储蓄卡")]) == (
        '我 [的]{"entity": "account_type", "value": "储蓄卡"} 卡'
    )
    for bad in ([Entity(0, 9, "rating")], [Entity(0, 2, "a"), Entity(1, 3, "b")]):
        with pytest.raises(AnnotationError) as error:
            render_example("很满意", bad)
        assert error.value.code == "bad_span"


def test_an_intent_without_examples_gets_its_own_file(files: TrainingFiles) -> None:
    # a new flow's file in the domain directory: its intent is known next to the others
    (files.repo / DOMAIN / "atm.yml").write_text(
        'version: "3.1"\nintents:\n  - ask_atm_fee\n', encoding="utf-8"
    )
    assert files.add_example("ask_atm_fee", "跨行取款收手续费吗", []) == "data/nlu/ask_atm_fee.yml"
    written = (files.repo / "data/nlu/ask_atm_fee.yml").read_text(encoding="utf-8")
    assert "- intent: ask_atm_fee\n  examples: |\n    - 跨行取款收手续费吗\n" in written
    with pytest.raises(AnnotationError) as error:
        files.add_example("faq/no_such_topic", "随便问问", [])
    assert error.value.code == "unknown_intent"
