"""Length-preserving character normalisation: half-width, Simplified, bank spellings."""

from __future__ import annotations

import pytest

from bankkit.chars import normalise_chars, to_halfwidth, to_simplified


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
