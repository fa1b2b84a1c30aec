"""Chinese period phrases (上个月, 3月, 最近一周…) as inclusive date ranges.

Pure: the reference date is an argument (``today``), never the clock. Month phrases are
resolved here; everything else is delegated to jionlp, which is the optional extra
``periods`` (``pip install bankkit[periods]``) and is imported only when needed, so the
rest of bankkit works where it is not installed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from bankkit.amounts import parse_chinese_number
from bankkit.text import normalise_text

__all__ = ["days_in_period", "resolve_period"]

_LAST_MONTH = re.compile(r"^(?:上上个?月|上个?月|前一个?月)(?:份)?$")
_THIS_MONTH = re.compile(r"^(?:本月|这个?月|当月|本月份|这个月份)$")
_BARE_MONTH = re.compile(
    r"^(?:(?P<year>今年|去年|前年))?(?P<month>[0-9]{1,2}|[一二三四五六七八九十]{1,3})月份?$"
)
_PERIOD_FILLER = re.compile(r"(?:的|时候|期间|以来|内|里|之内)$")


def _month_number(token: str) -> int | None:
    if token.isdigit():
        month = int(token)
    else:
        value = parse_chinese_number(token)
        if value is None:
            return None
        month = int(value)
    return month if 1 <= month <= 12 else None


def _month_range(first_day: date, today: date) -> tuple[date, date]:
    last_day = first_day + relativedelta(months=1, days=-1)
    return first_day, min(last_day, today)


def resolve_period(text: str, today: date) -> tuple[date, date] | None:
    """Resolve a Chinese period expression to an inclusive ``(start, end)`` date range.

    Handles 上个月, 本月/这个月, 3月/十月份 (the most recent such month, this year or
    last), 今年三月, 去年12月, 最近一周, 近7天, 近三个月, 最近半年, 上周, 昨天, 今天…
    Month phrases that jionlp 1.5.31 rejects (上个月, 本月, 这个月, bare ``N月``) are
    handled here with ``relativedelta``; the rest is delegated to ``jionlp.parse_time``.
    The end is capped at ``today`` (there are no future transactions).

    Args:
        text: The period phrase (typically a ``time_period`` entity value).
        today: The reference date.

    Returns:
        ``(start, end)`` with ``start <= end``, or ``None`` if the text is not a
        period, is an invalid month (13月), or lies entirely in the future.
    """
    phrase = normalise_text(text).replace(" ", "")
    phrase = _PERIOD_FILLER.sub("", phrase)
    if not phrase:
        return None
    first_of_month = today.replace(day=1)

    if _LAST_MONTH.match(phrase):
        months_back = 2 if phrase.startswith("上上") else 1
        return _month_range(first_of_month - relativedelta(months=months_back), today)
    if _THIS_MONTH.match(phrase):
        return first_of_month, today
    bare = _BARE_MONTH.match(phrase)
    if bare:
        month = _month_number(bare.group("month"))
        if month is None:
            return None
        year = today.year
        if bare.group("year") == "去年":
            year -= 1
        elif bare.group("year") == "前年":
            year -= 2
        elif bare.group("year") is None and month > today.month:
            year -= 1  # "10月" said in May means last October
        start = date(year, month, 1)
        if start > today:
            return None
        return _month_range(start, today)
    return _resolve_with_jionlp(phrase, today)


def _resolve_with_jionlp(phrase: str, today: date) -> tuple[date, date] | None:
    import jionlp  # the optional extra "periods"; slow to import, so only when needed

    # time_base: end of ``today`` so that "最近一周" ends today, not yesterday
    base = datetime.combine(today, time(23, 59, 59))
    try:
        parsed = jionlp.parse_time(phrase, time_base=base)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    if not parsed or parsed.get("type") not in ("time_point", "time_span"):
        return None
    try:
        start_text, end_text = parsed["time"][0], parsed["time"][1]
        start = datetime.strptime(start_text, "%Y-%m-%d %H:%M:%S").date()
        end = datetime.strptime(end_text, "%Y-%m-%d %H:%M:%S").date()
    except (ValueError, TypeError, IndexError, KeyError):
        return None  # open-ended spans come back as "inf"
    end = min(end, today)
    if start > end:
        return None
    return start, end


def days_in_period(period: tuple[date, date]) -> int:
    """Number of days in an inclusive period (helper for the actions' messages)."""
    return (period[1] - period[0]) // timedelta(days=1) + 1
