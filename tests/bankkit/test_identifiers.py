"""Phone, 身份证 and card-number checks; finders of phones, cards, card tails and codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankkit.identifiers import (
    extract_card_number,
    extract_card_tail,
    extract_phone,
    extract_verification_code,
    id_number_check_char,
    is_luhn_valid,
    is_valid_id_number,
    luhn_check_digit,
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
        ("１３８００１３８０００", "13800138000"),  # full-width digits come back as ASCII
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


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
