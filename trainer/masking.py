"""Masking of what a trainer must not see: mobile, card and ID numbers, one-time codes.

The tracker store already masks one-time codes, card and ID numbers before it stores a
message (bot/tracker_store.py) but keeps phone numbers, which verification needs across
turns. Everything shown to trainers (the inbox, conversation review, saved test stories)
goes through :func:`mask_text` first, which is deliberately eager: any run of six or more
digits (single spaces or dashes between digits allowed, full-width digits folded) and any
run of six or more Chinese digits read out one by one (四八二九一三, 幺三八…) is masked.
Losing a harmless number in a training example is better than showing a code.

Masked characters are ``*`` and the text keeps its length, so entity offsets a trainer
selects on the masked text stay valid; :func:`surrogate` turns the stars into digits
when the text becomes a training example (``138****8000`` → ``13827498000``).
"""

from __future__ import annotations

import re
from typing import Any

from bankkit.chars import to_halfwidth

MASK = "*"
# digits as read out one by one (幺=1, 洞=0, 拐=7, 勾=9)
_CN_DIGITS = "零〇○洞一幺二两三四五六七拐八九勾"
# a run of these touching another numeral (三十万, 一千二百) is a quantity, not a code
_CN_NUMERALS = _CN_DIGITS + "十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"

_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9_.])\d(?:[ \-]?\d){5,}[Xx]?(?![A-Za-z0-9_]|\.\d)")
_CN_RUN = re.compile(rf"(?<![{_CN_NUMERALS}])[{_CN_DIGITS}]{{6,}}(?![{_CN_NUMERALS}])")
_SURROGATE_DIGITS = "2749135806"


def _mask_digits(run: str) -> str:
    digits = [i for i, ch in enumerate(run) if ch.isdigit() or ch in "Xx"]
    n = len(digits)
    if n == 11 and run[digits[0]] == "1":
        keep = set(digits[:3] + digits[-4:])  # mobile: 138****8000
    elif n >= 15:
        keep = set(digits[-4:])  # card or ID number: last four
    else:
        keep = set()  # a code or another number: all of it
    return "".join(
        ch if (i in keep or not (ch.isdigit() or ch in "Xx")) else MASK for i, ch in enumerate(run)
    )


def mask_text(text: str) -> str:
    """`text` with mobile/card/ID numbers and one-time codes masked; same length."""
    if not text:
        return text
    folded = to_halfwidth(text)  # same length: offsets line up
    chars = list(text)
    for match in _DIGIT_RUN.finditer(folded):
        chars[match.start() : match.end()] = _mask_digits(match.group())
    for match in _CN_RUN.finditer(folded):
        chars[match.start() : match.end()] = MASK * (match.end() - match.start())
    return "".join(chars)


def mask_value(value: object) -> object:
    """An entity or slot value, masked when it is a string or a number with 6+ digits."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int):
        masked = mask_text(str(value))
        return value if masked == str(value) else masked
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    return value


def surrogate(text: str) -> str:
    """Masked stars as digits, so a masked message can be a training example.

    The digits are fixed and meaningless; the length (and so entity offsets) is kept.
    """
    out, k = [], 0
    for ch in text:
        if ch == MASK:
            out.append(_SURROGATE_DIGITS[k % len(_SURROGATE_DIGITS)])
            k += 1
        else:
            out.append(ch)
    return "".join(out)


def align_entity_spans(entities: Any, text: str) -> list[dict[str, Any]]:
    """Rasa's entities of a stored message, their spans checked against the stored text.

    The tracker store masks a grouped card number (`6222 0212 3456 7890`) into a shorter
    string, so spans Rasa computed on the original text are off by the difference from
    there on: a span whose masked value is found verbatim is moved there and the spans
    after it move by the same amount. Spans that still do not fit are dropped. Returns
    copies sorted by start; values are not masked here.
    """
    aligned: list[dict[str, Any]] = []
    shift = 0
    usable = [e for e in entities or [] if isinstance(e, dict)]
    for ent in sorted(usable, key=lambda e: e.get("start") or 0):
        start, end = ent.get("start"), ent.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        start, end = start + shift, end + shift
        value = ent.get("value")
        if isinstance(value, str) and MASK in value and text[start:end] != value and value in text:
            moved = text.find(value, max(0, start - 20))
            moved = moved if moved >= 0 else text.find(value)
            shift += moved + len(value) - end
            start, end = moved, moved + len(value)
        if 0 <= start < end <= len(text):
            aligned.append({**ent, "start": start, "end": end})
    return aligned
