"""Pure normalisation and extraction helpers for Chinese bank-customer text.

Used by the NLU components in :mod:`bot.nlu.components` and by the action server
(``from bankkit.normalise import parse_amount, resolve_period``). Every function is
pure: no I/O, no global state, no clock (``resolve_period`` takes ``today``).

Offsets: ``normalise_chars`` maps every character to exactly one character, so an
offset into its output is also an offset into its input. The NLU pipeline relies on
that (entity ``start``/``end`` in training data and in parse results stay valid for
the text the customer typed). ``normalise_text`` also collapses whitespace and is
therefore *not* length-preserving; use it for free text (slot values, look-ups).

The ``find_*`` functions return :class:`Span` objects (offsets into the text *as
given*); the ``extract_*`` functions return only the normalised value of the first
match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from bankkit import pii_patterns
from bankkit.chars import normalise_chars, to_halfwidth, to_simplified

__all__ = [
    "Span",
    "to_halfwidth",
    "to_simplified",
    "normalise_chars",
    "normalise_text",
    "parse_amount",
    "find_amounts",
    "find_phones",
    "find_card_numbers",
    "find_card_tails",
    "find_verification_codes",
    "extract_phone",
    "extract_card_number",
    "extract_card_tail",
    "extract_verification_code",
    "resolve_period",
]


@dataclass(frozen=True)
class Span:
    """A match in a text: ``text[start:end]`` is the surface, ``value`` the canonical form."""

    start: int
    end: int
    value: str


# --------------------------------------------------------------------------- text


_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Half-width + Simplified, whitespace runs collapsed to one space, stripped.

    Not length-preserving (whitespace is collapsed): the NLU components use
    :func:`normalise_chars` instead so that entity offsets stay valid.
    """
    return _WHITESPACE.sub(" ", normalise_chars(text)).strip()


# ------------------------------------------------------------------------ numbers

_CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_CN_MAGNITUDE_CHARS = "十百千万亿拾佰仟"
# an amount starts with a digit or 十 (十万), never with 万/千 (万一, 千万别…)
_CN_LEADING_CHARS = "一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾"
_MULTIPLIERS = {
    "十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
    "k": 1000, "K": 1000, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000,
}  # fmt: skip

# What may follow a number that makes it *not* an amount (dates, counts, durations).
_NOT_MONEY_SUFFIX = r"(?!\s*(?:个|月|号|日|天|年|周|星期|点|分|秒|次|期|位|张|岁|楼|小时|%|％))"
_CURRENCY_SUFFIX = r"(?:块钱|块|元整|元|圆|人民币|rmb|RMB|¥)"
_MONEY_CUE = r"(?:金额|转账|转了|转|还款|还了|还|取了|取款|取|存了|存|付了|付|花了|消费了|消费|汇)"

# 1,500 / 1500 / 1.5 followed by an optional magnitude.
_DIGIT_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT_PATTERNS = [
    # ¥200 / ￥200 (￥ is half-width ¥ after normalisation)
    re.compile(rf"[¥$]\s*(?P<num>{_DIGIT_NUMBER})(?P<mag>[万千百kKwW]?)(?!\d)"),
    # 200元, 1.5万, 3,000块, 2k; a bare number with 万/k counts as money.
    re.compile(
        rf"(?<![\d.,])(?P<num>{_DIGIT_NUMBER})\s*"
        rf"(?:(?P<mag>[万千百kKwW])\s*{_CURRENCY_SUFFIX}?|{_CURRENCY_SUFFIX})"
        rf"{_NOT_MONEY_SUFFIX}"
    ),
    # 转2000 / 金额是 3000: a bare number right after a money verb.
    re.compile(
        rf"{_MONEY_CUE}\s*(?:了|是|为|:)?\s*(?<![\d.,])(?P<num>{_DIGIT_NUMBER})(?![\d.,])"
        rf"(?P<mag>)(?!\s*[-\d])(?!\s*(?:个|月|号|日|天|年|周|次|期|位|%))"
    ),
    # 五千 / 两百 / 一万五: Chinese numerals with a magnitude (checked in find_amounts);
    # 三块 / 五元: Chinese numerals followed by a currency word.
    re.compile(
        rf"(?<![{_CN_NUMERAL_CHARS}])(?P<cn>[{_CN_LEADING_CHARS}][{_CN_NUMERAL_CHARS}]*)"
        rf"(?![{_CN_NUMERAL_CHARS}]){_NOT_MONEY_SUFFIX}"
    ),
    re.compile(rf"(?<![{_CN_NUMERAL_CHARS}])(?P<cn>[{_CN_NUMERAL_CHARS}]+)\s*{_CURRENCY_SUFFIX}"),
    # 存十万一年: the numeral run 十万一 swallows the 一 of 一年; split after the magnitude
    re.compile(
        rf"(?<![{_CN_NUMERAL_CHARS}])(?P<cn>[{_CN_LEADING_CHARS}][{_CN_NUMERAL_CHARS}]*[万千百亿佰仟])"
        rf"(?=[一二两三四五六七八九十半]{{1,3}}\s*(?:个|月|日|天|年|周|星期|期|次))"
    ),
]


def _to_decimal(value: Decimal | int | float) -> Decimal:
    result = Decimal(str(value))
    # 5000.0 -> 5000; 1.50 -> 1.5 (normalize() alone would give 5E+3)
    return result.quantize(Decimal(1)) if result == result.to_integral() else result.normalize()


def _parse_chinese_number(numeral: str) -> Decimal | None:
    import cn2an  # imported lazily: it pulls in its own config at import time

    try:
        return _to_decimal(cn2an.cn2an(numeral, "normal"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _parse_digit_number(number: str, magnitude: str) -> Decimal | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if magnitude:
        value *= _MULTIPLIERS[magnitude]
    return _to_decimal(value)


def find_amounts(text: str) -> list[Span]:
    """Find money amounts in ``text``; ``value`` is the amount in yuan as a string.

    Only numbers with a money cue count: a currency word (元, 块, 块钱), a magnitude
    (万, 千, 1.5万, 2k), ``¥``, a money verb just before (转2000), or Chinese
    numerals with a magnitude (五千, 两百). Bare digits (482913, 1234) and numbers
    followed by a unit of time or count (三个月, 12月, 3次) are not amounts.
    """
    norm = normalise_chars(text)
    # a phone or card number after a money verb (转6222…) is not an amount
    spans: list[Span] = find_phones(norm) + find_card_numbers(norm)
    taken = len(spans)
    for pattern in _AMOUNT_PATTERNS:
        for match in pattern.finditer(norm):
            if match.groupdict().get("cn"):
                group = "cn"
                has_currency = match.end() > match.end("cn")
                if not has_currency and not set(match.group("cn")) & set(_CN_MAGNITUDE_CHARS):
                    continue  # 四八二九 is a digit string, not money
                value = _parse_chinese_number(match.group("cn"))
            else:
                group = "num"
                value = _parse_digit_number(match.group("num"), match.group("mag") or "")
            if value is None or value <= 0:
                continue
            start, end = match.start(group), match.end(group)
            # include the magnitude (1.5万) in the surface span
            if group == "num" and match.group("mag"):
                end = match.end("mag")
            if any(s.start < end and start < s.end for s in spans):
                continue
            spans.append(Span(start, end, str(value)))
    return sorted(spans[taken:], key=lambda s: s.start)


_BARE_AMOUNT = re.compile(
    rf"^\s*(?:[¥$])?\s*(?:(?P<num>{_DIGIT_NUMBER})\s*(?P<mag>[万千百kKwW]?)|(?P<cn>[{_CN_NUMERAL_CHARS}]+))"
    rf"\s*{_CURRENCY_SUFFIX}?\s*$"
)


def parse_amount(text: str) -> Decimal | None:
    """Parse an amount in yuan: 五千 → 5000, 1.5万 → 15000, 两百块 → 200, 3,000元 → 3000.

    ``text`` may be just the amount (a slot value such as ``"3000"``) or a sentence
    (``"帮我转两百块"``); in a sentence the first amount found by
    :func:`find_amounts` is returned.

    Returns:
        The amount as a ``Decimal`` (integral amounts have no exponent or trailing
        ``.0``), or ``None`` if there is no positive amount.
    """
    norm = normalise_chars(text)
    bare = _BARE_AMOUNT.match(norm)
    if bare:
        if bare.group("cn"):
            value = _parse_chinese_number(bare.group("cn"))
        else:
            value = _parse_digit_number(bare.group("num"), bare.group("mag") or "")
        return value if value is not None and value > 0 else None
    spans = find_amounts(norm)
    return Decimal(spans[0].value) if spans else None


# ---------------------------------------------------------------- structured ids

# phones, card numbers and one-time codes are spaCy token patterns shared with the log
# masking (bot/nlu/pii_patterns.py); the NLU adds the context rules below
_CARD_TAIL = re.compile(
    r"(?:尾号|尾数|卡尾|末四位|末4位|后四位|后4位|最后四位|最后4位|末尾)"
    r"(?:是|为|:|\s)*(?P<tail>\d{4})(?!\d)"
)
# a code is never money or a card tail
_NOT_CODE_AFTER = re.compile(rf"^\s*(?:[万千百kKwW]|{_CURRENCY_SUFFIX})")
_NOT_CODE_BEFORE = re.compile(r"(?:尾号|尾数|卡号|账号|手机号?|电话|金额|[¥$])\s*(?:是|为|:)?\s*$")


def find_phones(text: str) -> list[Span]:
    """Mainland mobile numbers (1[3-9] + 9 digits), spaces/dashes/+86 allowed.

    The span covers the 11 digits (and separators), not the ``+86`` prefix.
    """
    return _structured(text, {pii_patterns.PHONE})


def find_card_numbers(text: str) -> list[Span]:
    """Bank card numbers: 16–19 digits, contiguous or in groups of four."""
    return _structured(text, {pii_patterns.CARD})


def _structured(text: str, labels: set[str]) -> list[Span]:
    # overlaps are resolved across all kinds first: a phone is never also a code
    return [
        Span(s.start, s.end, s.value)
        for s in pii_patterns.find_structured_pii(normalise_chars(text))
        if s.label in labels
    ]


def find_card_tails(text: str) -> list[Span]:
    """The last four digits of a card after 尾号/末四位/后四位…; span = the four digits."""
    norm = normalise_chars(text)
    return [
        Span(m.start("tail"), m.end("tail"), m.group("tail")) for m in _CARD_TAIL.finditer(norm)
    ]


def find_verification_codes(text: str) -> list[Span]:
    """Six-digit one-time codes: 482913, 482 913, 四八二九一三, 四八 二九 一三 (幺/洞 too).

    Never part of a phone number or card number, never an amount (100000元,
    20万), never a run of more or fewer than six digits.
    """
    norm = normalise_chars(text)
    return [
        span
        for span in _structured(norm, {pii_patterns.CODE, pii_patterns.CN_CODE})
        if not _NOT_CODE_AFTER.match(norm[span.end :])
        and not _NOT_CODE_BEFORE.search(norm[: span.start])
    ]


def _first_value(spans: list[Span]) -> str | None:
    return spans[0].value if spans else None


def extract_phone(text: str) -> str | None:
    """First mainland mobile number as 11 digits: ``+86 138-0013-8000`` → ``13800138000``."""
    return _first_value(find_phones(text))


def extract_card_number(text: str) -> str | None:
    """First card number as 16–19 digits without separators."""
    return _first_value(find_card_numbers(text))


def extract_card_tail(text: str) -> str | None:
    """Last four digits of a card: ``尾号1234的那张`` → ``"1234"``."""
    return _first_value(find_card_tails(text))


def extract_verification_code(text: str) -> str | None:
    """First six-digit one-time code: ``验证码是四八二九一三`` → ``"482913"``."""
    return _first_value(find_verification_codes(text))


# ------------------------------------------------------------------------- periods

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
        value = _parse_chinese_number(token)
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
    import jionlp

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
