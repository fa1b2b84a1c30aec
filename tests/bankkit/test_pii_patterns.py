"""The spaCy token patterns are the one definition of phones, cards, ID numbers and codes."""

from __future__ import annotations

import pytest

from bankkit import pii_patterns
from bankkit.identifiers import find_card_numbers, find_phones, find_verification_codes
from bankkit.masking import mask_pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("手机138 0013 8000", [("phone", "13800138000")]),
        ("卡号6222-0212-3456-7890", [("card_number", "6222021234567890")]),
        ("身份证11010119900307123x", [("id_number", "11010119900307123X")]),
        ("验证码48 29 13", [("code", "482913")]),
        ("验证码幺二三 洞四五", [("cn_code", "123045")]),
        ("13800138000 482913", [("phone", "13800138000"), ("code", "482913")]),
        ("三十万 一二三四五六七 GS20261129000123 123456.78", []),
    ],
)
def test_find_structured_pii(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.label, s.value) for s in pii_patterns.find_structured_pii(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "我的手机是13800138000，卡号6222 0212 3456 7890，验证码四八二九一三",
        "码 482 913 和 139-1234-5678",
    ],
)
def test_masking_and_nlu_see_the_same_numbers(text: str) -> None:
    # what the NLU extracts is exactly what the log masking hides
    spans = find_phones(text) + find_card_numbers(text) + find_verification_codes(text)
    masked = mask_pii(text)
    assert spans
    for span in spans:
        assert text[span.start : span.end] not in masked


def test_pipeline_is_built_once() -> None:
    assert pii_patterns.nlp() is pii_patterns.nlp()
    assert pii_patterns.nlp().lang == "zh"


def test_text_without_six_digits_is_not_tokenised() -> None:
    assert pii_patterns.find_structured_pii("intent=check_balance confidence=0.93 id=12345") == []
