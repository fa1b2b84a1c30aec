"""Phone, 身份证 and card-number helpers; log masking."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankkit.identifiers import (
    id_number_check_char,
    is_luhn_valid,
    is_valid_id_number,
    luhn_check_digit,
    mask_card_number,
    mask_digit_runs,
    mask_id_number,
    mask_phone,
    normalise_phone,
)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),  # the classic Visa test number
        ("6222020200112345671", False),  # 19 digits, wrong check digit
        ("4111111111111112", False),  # one digit off
        ("411111111111111", False),  # 15 digits: too short for a bank card
        ("41111111111111a1", False),  # not all digits
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert is_luhn_valid(number) is valid


@given(st.text(alphabet="0123456789", min_size=15, max_size=18))
def test_luhn_check_digit_always_validates(body: str) -> None:
    assert is_luhn_valid(body + luhn_check_digit(body))


@pytest.mark.parametrize(
    ("id_number", "valid"),
    [
        ("11010519491231002X", True),  # the published GB 11643 example
        ("110105194912310021", False),  # wrong check character
        ("11010519491231002", False),  # 17 characters
        ("1101051949123100X2", False),  # X only allowed last
    ],
)
def test_id_number_checksum(id_number: str, valid: bool) -> None:
    assert is_valid_id_number(id_number) is valid
    assert id_number_check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),  # plain
        (" 138 0013 8000 ", "13800138000"),  # spaces
        ("+8613800138000", "13800138000"),  # +86
        ("(138)0013-8000", "13800138000"),  # brackets and dashes
        ("10086", None),  # service number, not a mobile
        ("19912345678", "19912345678"),  # 199 segment
        ("11912345678", None),  # 11x is not a mobile segment
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_masks() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number("110105198803151232") == "110***********1232"
    assert mask_card_number("6222021234567891234") == "尾号1234"


@given(st.text(alphabet="0123456789 ?=&/phone", max_size=80))
def test_masked_text_keeps_no_six_digit_run(text: str) -> None:
    assert not re.search(r"\d{6,}", mask_digit_runs(text).replace("****", " "))
