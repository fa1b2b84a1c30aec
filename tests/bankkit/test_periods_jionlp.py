"""Period phrases bankkit delegates to jionlp (the optional extra "periods").

jionlp is installed only in the bot environment; elsewhere this module is skipped.
"""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from bankkit.periods import resolve_period

pytest.importorskip("jionlp")

TODAY = date(2024, 5, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("最近一周", (date(2024, 5, 8), date(2024, 5, 15))),  # via jionlp
        ("近7天", (date(2024, 5, 8), date(2024, 5, 15))),
        ("上周", (date(2024, 5, 6), date(2024, 5, 12))),  # Monday..Sunday
        ("昨天", (date(2024, 5, 14), date(2024, 5, 14))),
        ("今天", (date(2024, 5, 15), date(2024, 5, 15))),
        ("随便", None),  # not a period
    ],
)
def test_resolve_period_via_jionlp(text: str, expected: tuple[date, date] | None) -> None:
    assert resolve_period(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("近三个月", 3),  # jionlp
        ("最近三个月", 3),
        ("最近半年", 6),
        ("近半年", 6),
    ],
)
def test_resolve_period_relative_spans_end_today(text: str, months: int) -> None:
    period = resolve_period(text, TODAY)
    assert period is not None
    start, end = period
    assert end == TODAY
    # jionlp starts "近N个月" on, or one day before, the same day N months ago
    assert 0 <= (TODAY - relativedelta(months=months) - start).days <= 1
