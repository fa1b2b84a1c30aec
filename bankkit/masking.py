"""The one masker: phone, card and ID numbers and one-time codes in text, values and logs.

Every place that stores or shows text masks it here. The maskers differ in how sure
they need to be, so there are three kinds, built on the same display forms:

* **A known number** (a CRM column): :func:`mask_phone` ``138****8000``,
  :func:`mask_id_number` ``110***********1234``, :func:`mask_card_number` ``尾号1234``.
* **Precise**, for text that must stay useful (tracker events, CRM free text, Rasa's
  logs): :func:`mask_pii` and the narrower :func:`mask_one_time_codes` and
  :func:`mask_card_and_id_numbers`. What counts as a phone, card, ID number or code is
  defined once, as the spaCy token patterns of :mod:`bankkit.pii_patterns`, which the
  NLU's entity extraction uses too. Digits may be full-width and grouped with single
  spaces or dashes (``138 0013 8000``, ``6222-0212-3456-7890``); a number glued to ASCII
  letters, or with a decimal part, is left alone, so hex ids, amounts (``123456.78``) and
  reference numbers (``GS20261129000123``) are not masked.
* **Eager**, where losing a harmless number is better than showing a code:
  :func:`mask_digit_runs` (every run of six or more digits; access logs, training logs,
  queue previews) and :func:`mask_text` / :func:`mask_value` (trainer views: grouped and
  read-out Chinese digits too, and the text keeps its length so that entity offsets stay
  valid; :func:`surrogate` turns the stars into digits when the text becomes a training
  example, and :func:`align_entity_spans` repairs spans the tracker store shortened).

:class:`PiiMaskingFilter` applies any of the text maskers to log records;
:func:`install_log_masking` attaches it where Rasa and Sanic log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from bankkit.chars import to_halfwidth
from bankkit.pii_patterns import (
    CARD,
    CN_CODE,
    CN_CODE_DIGITS,
    CN_NUMERALS,
    CODE,
    ID_NUMBER,
    PHONE,
    PiiSpan,
    find_structured_pii,
)

__all__ = [
    "MASK",
    "OTP_MASK",
    "PiiMaskingFilter",
    "align_entity_spans",
    "install_log_masking",
    "mask_card_and_id_numbers",
    "mask_card_number",
    "mask_digit_runs",
    "mask_id_number",
    "mask_one_time_codes",
    "mask_phone",
    "mask_pii",
    "mask_text",
    "mask_value",
    "surrogate",
]

MASK = "*"
OTP_MASK = MASK * 6

# --------------------------------------------------------------- a known number


def mask_phone(phone: str) -> str:
    """`13800138000` → `138****8000`."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    """`110101199003071234` → `110***********1234`."""
    return f"{id_number[:3]}{MASK * (len(id_number) - 7)}{id_number[-4:]}"


def mask_card_number(number: str) -> str:
    """`6222021234561234` → `尾号1234` (how the CRM and its console name a card)."""
    return f"尾号{number[-4:]}"


def _keep_last_four(digits: str) -> str:
    return MASK * (len(digits) - 4) + digits[-4:]


# -------------------------------------------------------------------- precise


def _masked(span: PiiSpan, *, otp: bool, mobile: bool, cards: bool) -> str | None:
    """The masked form of one detected number, or None when this masker keeps it."""
    if span.label == ID_NUMBER:
        return mask_id_number(span.value) if cards else None
    if span.label == CARD:
        return _keep_last_four(span.value) if cards else None
    if span.label == PHONE:
        return mask_phone(span.value) if mobile else None
    if span.label in (CODE, CN_CODE):
        return OTP_MASK if otp else None
    return None


def _mask(text: str, *, otp: bool, mobile: bool, cards: bool) -> str:
    # every kind is detected even when this masker keeps it, so a phone number is
    # never half-masked as a "code" by the narrower maskers
    pieces: list[str] = []
    last = 0
    for span in find_structured_pii(text):
        masked = _masked(span, otp=otp, mobile=mobile, cards=cards)
        if masked is not None:
            pieces += [text[last : span.start], masked]
            last = span.end
    return "".join(pieces) + text[last:] if pieces else text


def mask_pii(text: str) -> str:
    """Masks mobile numbers, card numbers, ID numbers and standalone six-digit codes.

    Examples: ``13800138000`` → ``138****8000``; ``6222 0212 3456 7890`` →
    ``************7890``; ``11010119900307123X`` → ``110***********123X``;
    ``验证码123456`` → ``验证码******``.
    """
    if not text:
        return text
    return _mask(text, otp=True, mobile=True, cards=True)


def mask_one_time_codes(text: str) -> str:
    """Masks standalone six-digit numbers only (used where a code is expected)."""
    if not text:
        return text
    return _mask(text, otp=True, mobile=False, cards=False)


def mask_card_and_id_numbers(text: str) -> str:
    """Masks card numbers (keeps the last four digits) and ID numbers only."""
    if not text:
        return text
    return _mask(text, otp=False, mobile=False, cards=True)


# ---------------------------------------------------------------------- eager

_LONG_DIGIT_RUN = re.compile(r"\d{6,}")


def _mask_long_run(match: re.Match[str]) -> str:
    run = match.group()
    return mask_phone(run) if len(run) >= 11 else MASK * len(run)


def mask_digit_runs(text: str) -> str:
    """Masks every run of 6+ digits (phones, card and ID numbers, codes); for logs.

    A run of eleven or more keeps its first three and last four digits, like a phone.
    """
    return _LONG_DIGIT_RUN.sub(_mask_long_run, text)


# six or more digits, single spaces or dashes between them allowed, an ID number's X;
# not part of a word, a version or a decimal
_GROUPED_DIGITS = re.compile(r"(?<![A-Za-z0-9_.])\d(?:[ \-]?\d){5,}[Xx]?(?![A-Za-z0-9_]|\.\d)")
# six or more digits read out one by one (四八二九一三, 幺三八…); a run touching another
# numeral (三十万, 一千二百) is a quantity, not a code
_CN_DIGITS = "".join(sorted(CN_CODE_DIGITS))
_CN_NUMERAL_CLASS = "".join(sorted(CN_NUMERALS))
_READ_OUT_DIGITS = re.compile(
    rf"(?<![{_CN_NUMERAL_CLASS}])[{_CN_DIGITS}]{{6,}}(?![{_CN_NUMERAL_CLASS}])"
)
_SURROGATE_DIGITS = "2749135806"


def _is_digit(ch: str) -> bool:
    return ch.isdigit() or ch in "Xx"


def _mask_grouped(run: str) -> str:
    """Stars for the digits of `run`, separators kept: a phone or card stays recognisable."""
    digits = [i for i, ch in enumerate(run) if _is_digit(ch)]
    if len(digits) == 11 and run[digits[0]] == "1":
        keep = set(digits[:3] + digits[-4:])  # mobile: 138****8000
    elif len(digits) >= 15:
        keep = set(digits[-4:])  # card or ID number: last four
    else:
        keep = set()  # a code or another number: all of it
    return "".join(ch if (i in keep or not _is_digit(ch)) else MASK for i, ch in enumerate(run))


def mask_text(text: str) -> str:
    """`text` with mobile/card/ID numbers and one-time codes masked eagerly; same length.

    Any run of six or more digits and any six Chinese digits read out one by one are
    masked; this is what a trainer sees.
    """
    if not text:
        return text
    folded = to_halfwidth(text)  # same length: offsets line up
    chars = list(text)
    for match in _GROUPED_DIGITS.finditer(folded):
        chars[match.start() : match.end()] = _mask_grouped(match.group())
    for match in _READ_OUT_DIGITS.finditer(folded):
        chars[match.start() : match.end()] = MASK * (match.end() - match.start())
    return "".join(chars)


def mask_value(value: object) -> object:
    """An entity or slot value, masked (:func:`mask_text`) when a string or a 6+ digit number."""
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
    out: list[str] = []
    k = 0
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


# ----------------------------------------------------------------------- logs


def _mask_args(args: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(args, tuple):
        return tuple(mask(a) if isinstance(a, str) else a for a in args)
    if isinstance(args, Mapping):
        return {k: mask(v) if isinstance(v, str) else v for k, v in args.items()}
    return args


class PiiMaskingFilter(logging.Filter):
    """Masks personal data in a log record's message, arguments and formatted traceback.

    By default the record is rewritten in place (message formatted and masked, ``args``
    cleared), so every handler after this filter sees masked text whatever the arguments
    were (dicts, ints, objects). With ``keep_args`` only the string arguments are masked
    and ``args`` is kept, for formatters that unpack it (uvicorn's access log). It never
    drops a record.

    Args:
        mask: the text masker; :func:`mask_pii` unless a log wants the eager
            :func:`mask_digit_runs`.
        keep_args: mask string arguments in place instead of formatting the message.
    """

    def __init__(self, mask: Callable[[str], str] = mask_pii, *, keep_args: bool = False) -> None:
        super().__init__()
        self._mask_text = mask
        self._keep_args = keep_args

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pii_masked", False):
            return True
        mask = self._mask_text
        if self._keep_args:
            record.args = _mask_args(record.args, mask)
        else:
            try:
                message = record.getMessage()
            except Exception:  # a malformed %-format must not break logging
                message = f"{record.msg} {record.args}"
            record.msg = mask(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record._pii_masked = True
        return True


_FILTER = PiiMaskingFilter()
_LOGGER_NAMES = ("rasa", "rasa_sdk", "sanic.root", "sanic.error", "sanic.access", "bot")


def _attach(filterer: logging.Filterer) -> None:
    if not any(isinstance(f, PiiMaskingFilter) for f in filterer.filters):
        filterer.addFilter(_FILTER)


def install_log_masking() -> None:
    """Attaches the masking filter to the root, rasa and sanic loggers and their handlers.

    Idempotent. Handlers added later are not covered, so the web-chat channel calls it
    again when the server starts (after Rasa and Sanic have configured logging).
    """
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in _LOGGER_NAMES]
    for logger in loggers:
        _attach(logger)
        for handler in logger.handlers:
            _attach(handler)
