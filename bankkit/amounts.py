"""Money amounts in Chinese bank-customer text: 五千, 1.5万, 两百块, ¥300, 转2000 → ``Decimal``.

Pure functions (no I/O, no clock). Spans index the text as given: the text is normalised
with :func:`bankkit.chars.normalise_chars`, which keeps its length.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bankkit.chars import normalise_chars
from bankkit.pii_patterns import CARD, PHONE, find_structured_pii
from bankkit.text import Span

__all__ = ["find_amounts", "parse_amount", "parse_chinese_number", "starts_with_money_unit"]

_CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_CN_MAGNITUDE_CHARS = "十百千万亿拾佰仟"
# an amount starts with a digit or 十 (十万), never with 万/千 (万一, 千万别…)
_CN_LEADING_CHARS = "一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾"
_MULTIPLIERS: dict[str, int] = {
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


def parse_chinese_number(numeral: str) -> Decimal | None:
    """Chinese numerals as a number: 一万五 → 15000, 十二 → 12; None if they are not one."""
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
    spans = [
        Span(s.start, s.end, s.value) for s in find_structured_pii(norm) if s.label in (PHONE, CARD)
    ]
    taken = len(spans)
    for pattern in _AMOUNT_PATTERNS:
        for match in pattern.finditer(norm):
            if match.groupdict().get("cn"):
                group = "cn"
                has_currency = match.end() > match.end("cn")
                if not has_currency and not set(match.group("cn")) & set(_CN_MAGNITUDE_CHARS):
                    continue  # 四八二九 is a digit string, not money
                value = parse_chinese_number(match.group("cn"))
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
            value = parse_chinese_number(bare.group("cn"))
        else:
            value = _parse_digit_number(bare.group("num"), bare.group("mag") or "")
        return value if value is not None and value > 0 else None
    spans = find_amounts(norm)
    return Decimal(spans[0].value) if spans else None


_MONEY_UNIT_AHEAD = re.compile(rf"^\s*(?:[万千百kKwW]|{_CURRENCY_SUFFIX})")


def starts_with_money_unit(text: str) -> bool:
    """Whether ``text`` opens with a magnitude (万, k) or a currency word (元, 块).

    A number right before such a word is money: 100000元 is not a one-time code.
    """
    return _MONEY_UNIT_AHEAD.match(text) is not None
