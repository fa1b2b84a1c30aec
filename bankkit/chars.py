"""Character normalisation of Chinese text: full-width → half-width, Traditional → Simplified.

Length-preserving (one character in, one out), so offsets into the output are offsets
into the input. Only the standard library and zhconv: the NLU pipeline, the finders of
:mod:`bankkit.amounts` and :mod:`bankkit.identifiers`, the training-data checks and the
trainer tools all compare text through these functions, so they agree on when two
examples are the same.
"""

from __future__ import annotations

import re
import unicodedata

import zhconv


def to_halfwidth(text: str) -> str:
    """Map full-width ASCII (``０-９ Ａ-Ｚ ，：``) and the ideographic space to half-width.

    One character in, one character out, so offsets are preserved. CJK punctuation
    without an ASCII twin (``。、《》``) is left as it is.
    """
    out = []
    for char in text:
        code = ord(char)
        if code == 0x3000:
            out.append(" ")
        elif code == 0xFFE5:  # ￥ full-width yen/yuan sign
            out.append("¥")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(char)
    return "".join(out)


def _char_to_simplified(char: str) -> str:
    converted = zhconv.convert(char, "zh-cn")
    return converted if len(converted) == 1 else char


# zhconv's zh-cn table prefers 帐 (帳); banks and customers write 账 in these words.
_BANK_SPELLINGS = {
    "帐户": "账户",
    "帐号": "账号",
    "帐单": "账单",
    "转帐": "转账",
    "帐务": "账务",
    "对帐": "对账",
    "到帐": "到账",
}
_BANK_SPELLING_RE = re.compile("|".join(_BANK_SPELLINGS))


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified (zhconv, ``zh-cn``), preserving length.

    zhconv converts whole phrases; a few of its phrase rules change the length or the
    word itself (``公尺`` → ``米``, ``伊斯坦堡`` → ``伊斯坦布尔``). When the phrase-level
    result has a different length, the text is converted character by character
    instead, so the output always has the same length as the input.
    """
    if not text:
        return text
    converted = zhconv.convert(text, "zh-cn")
    if len(converted) != len(text):
        converted = "".join(_char_to_simplified(char) for char in text)
    return _BANK_SPELLING_RE.sub(lambda m: _BANK_SPELLINGS[m.group()], converted)


def normalise_chars(text: str) -> str:
    """Half-width + Simplified; length-preserving (safe for entity offsets)."""
    return to_simplified(to_halfwidth(text))


def comparison_key(text: str) -> str:
    """A training example as the model sees it, for duplicate detection (no markup).

    ChineseTextNormalizer makes Traditional and full-width forms identical at train time,
    and CharNgramIntentClassifier ignores case and whitespace (``char_text``).
    """
    text = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return "".join(text.split())
