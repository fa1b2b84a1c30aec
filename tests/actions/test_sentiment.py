"""is_angry: the one word list the complaint form and the handover both use."""

from __future__ import annotations

import pytest

from actions.sentiment import is_angry


@pytest.mark.parametrize(
    ("text", "angry"),
    [
        ("什么破银行，气死我了", True),
        ("气死我了！", True),
        ("你们这什么破APP", True),
        ("我要去银保监会投诉你们", True),  # going to the regulator
        ("再不处理我就打12378", True),  # the regulator's hotline
        ("你们等着被媒体曝光吧", True),  # the press (was on the complaint form's list only)
        ("这是要耍我吗", True),  # (was on the handover's list only)
        ("TMD 又扣我钱", True),  # swearing, any case
        ("为什么还不处理！！！", True),  # three in a row
        ("为什么还没到账！！！", True),
        ("到底怎么回事！钱呢！谁来管！", True),  # three apart
        ("年费扣错了，麻烦处理一下", False),
        ("请帮我查一下余额", False),
        ("谢谢！", False),
        ("好的！谢谢！", False),  # two are not enough
        ("", False),
        (None, False),
    ],
)
def test_is_angry(text: str | None, angry: bool) -> None:
    assert is_angry(text) is angry
