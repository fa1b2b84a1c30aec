"""Money amounts in Chinese text: Chinese and mixed numerals to Decimal, spans."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bankkit.amounts import find_amounts, parse_amount


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
