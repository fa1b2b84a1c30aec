"""Free-text normalisation (whitespace collapsed, so not length-preserving)."""

from __future__ import annotations

import pytest

from bankkit.text import normalise_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  查　餘額  ", "查 余额"),  # collapse + strip + Simplified
        ("ＡＴＭ   吞卡\n了", "ATM 吞卡 了"),  # newline counts as whitespace
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected
