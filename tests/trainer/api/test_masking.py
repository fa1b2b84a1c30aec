"""What trainers see: masked numbers, surrogate digits, entity spans on stored text."""

from __future__ import annotations

import pytest

from trainer.masking import align_entity_spans, mask_text, surrogate


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
