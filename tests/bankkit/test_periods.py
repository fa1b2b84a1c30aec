"""Month phrases resolved without jionlp (this file runs in both environments)."""

from __future__ import annotations

from datetime import date

import pytest

from bankkit.periods import days_in_period, resolve_period

TODAY = date(2024, 5, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上个月", (date(2024, 4, 1), date(2024, 4, 30))),  # jionlp rejects it
        ("上月的", (date(2024, 4, 1), date(2024, 4, 30))),  # trailing 的 ignored
        ("上上个月", (date(2024, 3, 1), date(2024, 3, 31))),
        ("本月", (date(2024, 5, 1), date(2024, 5, 15))),  # capped at today
        ("这个月", (date(2024, 5, 1), date(2024, 5, 15))),
        ("3月", (date(2024, 3, 1), date(2024, 3, 31))),  # earlier this year
        ("10月", (date(2023, 10, 1), date(2023, 10, 31))),  # later month -> last year
        ("十月份", (date(2023, 10, 1), date(2023, 10, 31))),  # Chinese numeral + 份
        ("今年三月", (date(2024, 3, 1), date(2024, 3, 31))),
        ("去年12月", (date(2023, 12, 1), date(2023, 12, 31))),
        ("上個月", (date(2024, 4, 1), date(2024, 4, 30))),  # Traditional
        ("13月", None),  # invalid month
        ("今年十月", None),  # entirely in the future
        ("", None),  # empty
    ],
)
def test_resolve_period(text: str, expected: tuple[date, date] | None) -> None:
    assert resolve_period(text, TODAY) == expected


def test_resolve_period_january_rolls_back_a_year() -> None:
    # 上个月 said in January is December of the previous year
    assert resolve_period("上个月", date(2025, 1, 10)) == (date(2024, 12, 1), date(2024, 12, 31))


def test_days_in_period_counts_both_ends() -> None:
    assert days_in_period((date(2024, 5, 1), date(2024, 5, 15))) == 15
    assert days_in_period((TODAY, TODAY)) == 1
