"""The one masker: display forms, precise and eager maskers, the log filter."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankkit.masking import (
    PiiMaskingFilter,
    align_entity_spans,
    install_log_masking,
    mask_card_and_id_numbers,
    mask_card_number,
    mask_digit_runs,
    mask_id_number,
    mask_one_time_codes,
    mask_phone,
    mask_pii,
    mask_text,
    mask_value,
    surrogate,
)


def test_masks() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number("110105198803151232") == "110***********1232"
    assert mask_card_number("6222021234567891234") == "尾号1234"


@given(st.text(alphabet="0123456789 ?=&/phone", max_size=80))
def test_masked_text_keeps_no_six_digit_run(text: str) -> None:
    assert not re.search(r"\d{6,}", mask_digit_runs(text).replace("****", " "))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plain mobile number
        ("13800138000", "138****8000"),
        # mobile inside Chinese text, grouped with spaces
        ("手机138 0013 8000，谢谢", "手机138****8000，谢谢"),
        # mobile grouped with dashes
        ("138-0013-8000", "138****8000"),
        # full-width digits
        ("１３８００１３８０００", "138****8000"),
        # 16-digit card number keeps the last four
        ("卡号6222021234567890", "卡号************7890"),
        # card number in groups of four
        ("6222 0212 3456 7890", "************7890"),
        # 19-digit card number
        ("6222021234567890123", "***************0123"),
        # ID number ending in X
        ("身份证11010119900307123X", "身份证110***********123X"),
        # ID number, lower-case x, all digits otherwise
        ("11010119900307123x", "110***********123X"),
        # standalone six-digit code next to Chinese text
        ("验证码123456", "验证码******"),
        # code typed as 3+3
        ("123 456", "******"),
        # code read out in Chinese numerals
        ("验证码是幺二三四五六", "验证码是******"),
        # two numbers separated by a space are masked one by one
        ("13800138000 123456", "138****8000 ******"),
        # a date before a phone is not swallowed into a "card number"
        ("2026-11-29 13800138000", "2026-11-29 138****8000"),
        # JSON log line
        ('{"text": "13800138000"}', '{"text": "138****8000"}'),
    ],
)
def test_mask_pii_masks(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # an amount with decimals is not a code
        "余额123456.78元",
        # a business reference number (letters + 14 digits)
        "业务编号GS20261129000123",
        # digits inside a hex id (sender ids in logs)
        "sender=a1b2c3123456d4e5",
        # five and seven digits are neither codes nor phones
        "12345 和 1234567",
        # an eight-digit date
        "2026-11-29",
        # a landline (starts with 0)
        "010-62345678",
        # a Chinese-numeral amount, not a code
        "三十万",
        # last four digits alone are fine
        "尾号1234",
        # already masked text stays as it is (masking is idempotent)
        "138****8000 ************7890 110***********123X ******",
    ],
)
def test_mask_pii_leaves_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_narrow_maskers() -> None:
    text = "手机13800138000 卡6222021234567890 码654321"
    # the tracker store keeps phones and only masks codes where a code is expected
    assert mask_one_time_codes(text) == "手机13800138000 卡6222021234567890 码******"
    assert mask_card_and_id_numbers(text) == "手机13800138000 卡************7890 码654321"


def test_filter_masks_message_args_and_traceback() -> None:
    record = logging.LogRecord(
        "rasa.x", logging.INFO, __file__, 1, "user said %s", ("13800138000",), None
    )
    try:
        raise ValueError("bad code 123456")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert PiiMaskingFilter().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert "13800138000" not in formatted
    assert "123456" not in formatted
    assert "user said 138****8000" in formatted


def test_install_log_masking_is_idempotent_and_masks_handlers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = logging.getLogger()
    install_log_masking()
    install_log_masking()
    for handler in root.handlers:
        assert sum(isinstance(f, PiiMaskingFilter) for f in handler.filters) == 1
    assert sum(isinstance(f, PiiMaskingFilter) for f in logging.getLogger("rasa").filters) == 1

    handler = caplog.handler
    install_log_masking()  # caplog's handler was added to root after the first call
    with caplog.at_level(logging.INFO):
        logging.getLogger("rasa.core.processor").info("text=%s", "卡号6222021234567890")
    assert "6222021234567890" not in handler.records[-1].getMessage()
    assert "************7890" in caplog.text


def test_filter_can_keep_the_arguments_a_formatter_unpacks() -> None:
    # uvicorn's access formatter unpacks record.args: they stay a tuple, masked in place
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        "%s %s %d",
        ("GET", "/x?code=482913", 200),
        None,
    )
    assert PiiMaskingFilter(mask_digit_runs, keep_args=True).filter(record)
    assert record.args == ("GET", "/x?code=******", 200)
    assert record.getMessage() == "GET /x?code=****** 200"


# ------------------------------------------------- eager masking of trainer views


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("手机号13812345678", "手机号138****5678"),
        ("手机号 138 1234 5678", "手机号 138 **** 5678"),
        ("１３８１２３４５６７８", "138****5678"),  # full-width digits are folded first
        ("卡号6222 0212 3456 7890丢了", "卡号**** **** **** 7890丢了"),
        ("身份证11010119900307123X", "身份证**************123X"),
        ("验证码482913", "验证码******"),
        ("验证码是四八二九一三", "验证码是******"),
        ("转5000元", "转5000元"),  # amounts stay
        ("金额123456.78", "金额123456.78"),
        ("订单GS2026112900012", "订单GS2026112900012"),  # reference numbers stay
        ("三十万", "三十万"),  # a quantity, not a read-out code
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked
    assert len(mask_text(text)) == len(text)


def test_surrogate_keeps_length_and_leaves_no_star() -> None:
    masked = mask_text("手机号13812345678，验证码482913")
    digits = surrogate(masked)
    assert len(digits) == len(masked) and "*" not in digits
    assert "13812345678" not in digits and "482913" not in digits


def test_spans_follow_a_card_number_the_tracker_store_shortened() -> None:
    # Rasa parsed 「卡号6222 0212 3456 7890的储蓄卡」; the store kept the shorter text
    stored = "卡号************7890的储蓄卡"
    entities = [
        {"entity": "account_type", "start": 22, "end": 25, "value": "储蓄卡"},
        {"entity": "card_number", "start": 2, "end": 21, "value": "************7890"},
        {"entity": "rating", "start": 40, "end": 41, "value": 5},  # does not fit: dropped
        "not an entity",
    ]
    aligned = align_entity_spans(entities, stored)
    assert [(e["entity"], stored[e["start"] : e["end"]]) for e in aligned] == [
        ("card_number", "************7890"),
        ("account_type", "储蓄卡"),
    ]
    assert entities[0]["start"] == 22  # copies: the input is not changed


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (13800138000, "138****8000"),  # a number slot with a phone in it
        (5000, 5000),  # a short number stays a number
        (True, True),  # booleans are not numbers here
        (None, None),
        (["验证码482913", 3], ["验证码******", 3]),  # lists element by element
    ],
)
def test_mask_value(value: object, masked: object) -> None:
    assert mask_value(value) == masked
