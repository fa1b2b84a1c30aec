"""The complaint vocabulary: the categories are the NLU contract's entity values."""

from __future__ import annotations

import re
from pathlib import Path

from bankkit.complaints import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, OPEN_STATUSES

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "intents.md"


def test_categories_are_the_contracts_entity_values() -> None:
    row = next(
        line
        for line in CONTRACT.read_text(encoding="utf-8").splitlines()
        if line.startswith("| complaint_category |")
    )
    values = re.findall(r"`([^`]+)`", row.split("|")[2])
    assert list(COMPLAINT_CATEGORIES) == values
    assert len(COMPLAINT_CATEGORIES) == 6


def test_open_statuses_are_the_first_two() -> None:
    # the CRM's workflow order: 已受理 → 处理中 → 已解决 → 已关闭
    assert COMPLAINT_STATUSES == ("已受理", "处理中", "已解决", "已关闭")
    assert COMPLAINT_STATUSES[:2] == OPEN_STATUSES
