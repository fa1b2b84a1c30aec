"""Tests for bankkit.normalise (pure functions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from bankkit.normalise import (
    extract_card_number,
    extract_card_tail,
    extract_phone,
    extract_verification_code,
    find_amounts,
    normalise_chars,
    normalise_text,
    parse_amount,
    resolve_period,
    to_halfwidth,
    to_simplified,
)

TODAY = date(2024, 5, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１３８００１３８０００", "13800138000"),  # full-width digits
        ("ＡＴＭ，ＰＯＳ！", "ATM,POS!"),  # full-width letters and punctuation
        ("你好\u3000在吗", "你好 在吗"),  # ideographic space
        ("￥３００", "¥300"),  # full-width yuan sign
        ("我的卡丢了。", "我的卡丢了。"),  # CJK full stop has no ASCII twin: unchanged
    ],
)
def test_to_halfwidth(text: str, expected: str) -> None:
    assert to_halfwidth(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的卡遺失了，請幫我凍結", "我的卡遗失了，请帮我冻结"),  # plain Traditional
        ("帳戶餘額", "账户余额"),  # zhconv says 帐户; the bank spelling is 账户
        ("轉帳記錄", "转账记录"),  # 转帐 -> 转账
        ("信用卡額度", "信用卡额度"),
        ("储蓄卡余额", "储蓄卡余额"),  # already Simplified: unchanged
        ("公尺", "公尺"),  # phrase rule 公尺->米 would change the length: char-wise instead
    ],
)
def test_to_simplified(text: str, expected: str) -> None:
    assert to_simplified(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我在伊斯坦堡用信用卡，帳戶被凍結了",  # phrase conversion would shorten the text
        "１３８ ００１３ ８０００　手機號",  # full-width + Traditional
        "",  # empty
    ],
)
def test_normalise_chars_preserves_length(text: str) -> None:
    assert len(normalise_chars(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  查　餘額  ", "查 余额"),  # collapse + strip + Simplified
        ("ＡＴＭ   吞卡\n了", "ATM 吞卡 了"),  # newline counts as whitespace
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五千", Decimal(5000)),  # Chinese numerals
        ("1.5万", Decimal(15000)),  # digits with 万
        ("两百块", Decimal(200)),  # 两 + currency word
        ("3,000元", Decimal(3000)),  # thousands separator
        ("2k", Decimal(2000)),  # k suffix
        ("一万五", Decimal(15000)),  # colloquial 一万五 = 15000
        ("3000", Decimal(3000)),  # a bare slot value
        ("12.50元", Decimal("12.5")),  # decimals kept
        ("￥３００", Decimal(300)),  # full-width sign and digits
        ("帮我转两百块给他", Decimal(200)),  # inside a sentence
        ("还款2000", Decimal(2000)),  # bare digits after a money verb
        ("三个月", None),  # a duration, not money
        ("存八千三个月利息多少", Decimal(8000)),  # 八千 + 三个月, not 8300
        ("十万一年能有多少利息", Decimal(100000)),  # 十万 + 一年, not 100001
        ("十二月", None),  # a month, not money
        ("万一卡丢了呢", None),  # 万一 = "in case"
        ("尾号1234", None),  # a card tail is not an amount
        ("转6222021234567890", None),  # a card number after 转 is not an amount
        ("0元", None),  # non-positive
        ("随便", None),  # no number at all
    ],
)
def test_parse_amount(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


def test_parse_amount_integral_has_no_exponent() -> None:
    # Decimal("5E+3") == 5000 but renders badly in a reply: keep the plain form
    assert str(parse_amount("五千")) == "5000"


def test_find_amounts_spans_index_the_original_text() -> None:
    text = "我想转１.５万，再还两百块"
    spans = find_amounts(text)
    assert [(text[s.start : s.end], s.value) for s in spans] == [
        ("１.５万", "15000"),
        ("两百", "200"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "13800138000"),  # bare
        ("138 0013 8000", "13800138000"),  # spaces
        ("手机号是139-1234-5678", "13912345678"),  # dashes in a sentence
        ("+86 13700001234", "13700001234"),  # country code
        ("１３６１２３４５６７８", "13612345678"),  # full-width digits
        ("12345678901", None),  # 12… is not a mobile prefix
        ("1380013800", None),  # 10 digits
        ("6222021234567890", None),  # part of a card number is not a phone
        ("验证码482913", None),  # a code is not a phone
    ],
)
def test_extract_phone(text: str, expected: str | None) -> None:
    assert extract_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6222021234567890", "6222021234567890"),  # 16 digits
        ("6222 0212 3456 7890", "6222021234567890"),  # groups of four
        ("卡号6217001234567890123", "6217001234567890123"),  # 19 digits
        ("6228-4800-1234-5678-901", "6228480012345678901"),  # dashes, 19 digits
        ("13800138000", None),  # phone
        ("12345678901234567890", None),  # 20 digits is too long
        ("13800138000 482913", None),  # phone + code must not fuse into a card number
    ],
)
def test_extract_card_number(text: str, expected: str | None) -> None:
    assert extract_card_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("尾号1234的那张", "1234"),
        ("末四位 0921", "0921"),  # leading zero kept
        ("卡号后4位是5678", "5678"),
        ("尾号１２３４", "1234"),  # full-width
        ("尾号12345", None),  # five digits is not a tail
        ("1234", None),  # no cue word
    ],
)
def test_extract_card_tail(text: str, expected: str | None) -> None:
    assert extract_card_tail(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("482913", "482913"),  # bare
        ("验证码是四八二九一三", "482913"),  # Chinese digits
        ("验证码 482 913", "482913"),  # spaced 3+3
        ("48 29 13", "482913"),  # spaced 2+2+2
        ("幺二三洞四五", "123045"),  # radio style 幺=1 洞=0
        ("验证码是４８２９１３", "482913"),  # full-width
        ("13800138000", None),  # a phone is not a code
        ("138 0013 8000", None),  # a spaced phone is not a code
        ("6222021234567890", None),  # a card number is not a code
        ("100000元", None),  # an amount is not a code
        ("20万", None),  # an amount is not a code
        ("¥482913", None),  # money sign
        ("尾号123456", None),  # after 尾号 it is not a code
        ("1234567", None),  # seven digits
        ("一二三四五六七", None),  # seven Chinese digits
        ("12345", None),  # five digits
    ],
)
def test_extract_verification_code(text: str, expected: str | None) -> None:
    assert extract_verification_code(text) == expected


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
        ("最近一周", (date(2024, 5, 8), date(2024, 5, 15))),  # via jionlp
        ("近7天", (date(2024, 5, 8), date(2024, 5, 15))),
        ("上周", (date(2024, 5, 6), date(2024, 5, 12))),  # Monday..Sunday
        ("昨天", (date(2024, 5, 14), date(2024, 5, 14))),
        ("今天", (date(2024, 5, 15), date(2024, 5, 15))),
        ("上個月", (date(2024, 4, 1), date(2024, 4, 30))),  # Traditional
        ("13月", None),  # invalid month
        ("今年十月", None),  # entirely in the future
        ("随便", None),  # not a period
        ("", None),  # empty
    ],
)
def test_resolve_period(text: str, expected: tuple[date, date] | None) -> None:
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


def test_resolve_period_january_rolls_back_a_year() -> None:
    # 上个月 said in January is December of the previous year
    assert resolve_period("上个月", date(2025, 1, 10)) == (date(2024, 12, 1), date(2024, 12, 31))
