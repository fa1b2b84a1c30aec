"""The structured personal-data detectors, as spaCy token patterns (one source for all).

Phone numbers, bank card numbers, ID numbers and one-time codes are found here, once,
and used by both consumers:

  * the NLU (:mod:`bankkit.identifiers` ``find_phones`` / ``find_card_numbers`` /
    ``find_verification_codes`` → ``StructuredEntityExtractor``), which adds its own
    context rules on top (a code is never money, ``尾号123456`` is not a code…);
  * log and tracker masking (:mod:`bankkit.masking`).

How: a blank spaCy ``zh`` pipeline (no model download) whose tokenizer makes a *number
run* one token — a maximal run of ASCII letters, digits and ``_`` (so ``GS2026…`` or
hex ids are one token that no pattern matches, and ``123456.78`` stays one token) —
and every other character its own token (whitespace included, so a separator is a
token). Full-width digits, letters, spaces and hyphens are folded to ASCII first; the
folding keeps the length, so offsets index the caller's text. A ``Matcher`` with the
token patterns in :data:`PATTERNS` finds the candidates; overlapping ones are resolved
longest first (an ID number beats a card number of the same span).

The pipeline is built once per process (:func:`nlp`); a text with no digit and no
digit-like Chinese character returns at once, so log masking stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PHONE = "phone"
CARD = "card_number"
ID_NUMBER = "id_number"
CODE = "code"
CN_CODE = "cn_code"

# a whole mainland mobile number: 1[3-9] + 9 digits (also bankkit.identifiers.normalise_phone)
MOBILE_REGEX = r"^1[3-9][0-9]{9}$"

# digits as read out: 幺=1, 洞=0, 拐=7, 勾=9 (radio style)
CN_CODE_DIGITS = {
    "零": "0", "〇": "0", "○": "0", "洞": "0",
    "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "勾": "9",
}  # fmt: skip
# a run of six of these touching any other numeral (三十万, 一二三四五六七) is no code
CN_NUMERALS = frozenset(CN_CODE_DIGITS) | frozenset("十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")


def _digits(n: str) -> dict[str, Any]:
    """A token of ``n`` ("4" or "10,13") digits; native predicates, no regex (speed)."""
    low, _, high = n.partition(",")
    length: Any = int(low) if not high else {">=": int(low), "<=": int(high)}
    return {"IS_DIGIT": True, "LENGTH": length}


_SEP = {"TEXT": {"IN": [" ", "-"]}, "OP": "?"}  # one optional space or dash
_CN = {"TEXT": {"IN": sorted(CN_CODE_DIGITS)}}
_SPACE = {"TEXT": " ", "OP": "?"}

#: label -> token patterns (the single definition of what these numbers look like)
PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    # 13800138000, 138 0013 8000, 138-0013-8000 (mainland mobile: 1[3-9] + 9 digits)
    PHONE: [
        [{"TEXT": {"REGEX": MOBILE_REGEX}}],
        [{"TEXT": {"REGEX": r"^1[3-9][0-9]$"}}, _SEP, _digits("4"), _SEP, _digits("4")],
    ],
    # 16-19 digits, in one piece, in groups of four (+ 1-3), or 6 + 10-13
    CARD: [
        [_digits("16,19")],
        [_digits("4"), _SEP, _digits("4"), _SEP, _digits("4"), _SEP, _digits("4")],
        [
            _digits("4"),
            _SEP,
            _digits("4"),
            _SEP,
            _digits("4"),
            _SEP,
            _digits("4"),
            _SEP,
            _digits("1,3"),
        ],
        [_digits("6"), _SEP, _digits("10,13")],
    ],
    # 18-character resident ID number: area, birth date, sequence, check digit (or X)
    ID_NUMBER: [
        [
            {
                "TEXT": {
                    "REGEX": r"^[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
                    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$"
                }
            }
        ],
    ],
    # six digits: 482913, 482 913, 48 29 13
    CODE: [
        [_digits("6")],
        [_digits("3"), _SEP, _digits("3")],
        [_digits("2"), _SEP, _digits("2"), _SEP, _digits("2")],
    ],
    # six digits read out in Chinese: 四八二九一三, 幺二三 洞四五
    CN_CODE: [[_CN, _SPACE, _CN, _SPACE, _CN, _SPACE, _CN, _SPACE, _CN, _SPACE, _CN]],
}
# which label wins when two patterns match the very same span
_PRIORITY = {ID_NUMBER: 0, CARD: 1, PHONE: 2, CODE: 3, CN_CODE: 4}

# full-width digits/letters/space/hyphen -> ASCII, one character for one
_FOLD = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)},
     **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
     **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
     "\u3000": " ", "\u00a0": " ", "\uff0d": "-", "\uff3f": "_", "\uff0e": "."}
)  # fmt: skip
_CN_CLASS = "".join(sorted(CN_NUMERALS))
# a number run; a separator; a numeral; or a stretch of anything else (fewer tokens)
_TOKEN = re.compile(rf"[0-9A-Za-z_]+(?:\.[0-9]+)*|[ \-]|[{_CN_CLASS}]|[^0-9A-Za-z_ \-{_CN_CLASS}]+")
# every pattern needs six digits (or digit-like characters) close together: a text
# without such a stretch, like most log lines, is not tokenised at all
_D = rf"[0-9\uff10-\uff19{''.join(CN_CODE_DIGITS)}]"
_WORTH_LOOKING = re.compile(rf"{_D}(?:[ \-\u3000\uff0d\u00a0]?{_D}){{5}}")


@dataclass(frozen=True)
class PiiSpan:
    """One detected number: ``text[start:end]``; ``value`` = its digits (ID: + X)."""

    label: str
    start: int
    end: int
    value: str


class _Pipeline:
    _nlp: Any = None
    _matcher: Any = None

    @classmethod
    def get(cls) -> tuple[Any, Any]:
        if cls._nlp is None:
            import spacy
            from spacy.matcher import Matcher

            nlp = spacy.blank("zh")  # the char segmenter; make_doc is not used
            matcher = Matcher(nlp.vocab)
            for label, patterns in PATTERNS.items():
                matcher.add(label, patterns)
            cls._nlp, cls._matcher = nlp, matcher
        return cls._nlp, cls._matcher


def nlp() -> Any:
    """The cached blank ``zh`` pipeline the patterns run on."""
    return _Pipeline.get()[0]


def fold(text: str) -> str:
    """Full-width digits, letters, spaces and hyphens as ASCII (same length)."""
    return text.translate(_FOLD)


def _value(label: str, surface: str) -> str:
    if label == CN_CODE:
        return "".join(CN_CODE_DIGITS.get(c, "") for c in surface)
    if label == ID_NUMBER:
        return surface.upper()
    return re.sub(r"[^0-9]", "", surface)


def find_structured_pii(text: str) -> list[PiiSpan]:
    """Phones, card numbers, ID numbers and one-time codes in ``text``, by position.

    Overlapping candidates are resolved longest first, so ``138 0013 8000`` is one
    phone and not a code, and a card number is not also a phone.
    """
    if not text or not _WORTH_LOOKING.search(text):
        return []
    from spacy.tokens import Doc

    folded = fold(text)
    pipeline, matcher = _Pipeline.get()
    pieces = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    doc = Doc(pipeline.vocab, words=[folded[s:e] for s, e in pieces], spaces=[False] * len(pieces))
    candidates = []
    for match_id, first, last in matcher(doc):
        label = pipeline.vocab.strings[match_id]
        start, end = pieces[first][0], pieces[last - 1][1]
        if label == CN_CODE and (
            (start > 0 and folded[start - 1] in CN_NUMERALS)
            or (end < len(folded) and folded[end] in CN_NUMERALS)
        ):
            continue  # part of a longer numeral: 三十万, 一二三四五六七
        if label != CN_CODE and start > 0 and folded[start - 1] == ".":
            continue  # v1.123456, 0.123456: part of a version or a decimal
        if folded[end - 1] == " " or folded[start] == " ":
            continue
        candidates.append((start, end, label))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), _PRIORITY[c[2]], c[0]))
    found: list[PiiSpan] = []
    for start, end, label in candidates:
        if any(s.start < end and start < s.end for s in found):
            continue
        found.append(PiiSpan(label, start, end, _value(label, folded[start:end])))
    return sorted(found, key=lambda s: s.start)


__all__ = [
    "CARD",
    "CN_CODE",
    "CN_CODE_DIGITS",
    "CN_NUMERALS",
    "CODE",
    "ID_NUMBER",
    "MOBILE_REGEX",
    "PATTERNS",
    "PHONE",
    "PiiSpan",
    "find_structured_pii",
    "fold",
    "nlp",
]
