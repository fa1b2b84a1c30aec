"""Masking of personal data (phones, card numbers, ID numbers, one-time codes) in text and logs.

`mask_pii` is deliberately eager: it is meant for log lines and other text where losing a
harmless six-digit number is better than leaking a one-time code. The tracker store uses the
narrower helpers (`mask_one_time_codes`, `mask_card_and_id_numbers`) so that stored
conversations keep phone numbers and ordinary numbers.

A "number" is a run of digits (ASCII or full-width) in which single spaces or dashes may
appear between digits (``138 0013 8000``, ``6222-0212-3456-7890``). A run must not touch
ASCII letters, other digits or a decimal point followed by a digit, so that hex ids, amounts
(``123456.78``) and reference numbers (``GS20261129000123``) are left alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

__all__ = [
    "PiiMaskingFilter",
    "install_log_masking",
    "mask_card_and_id_numbers",
    "mask_one_time_codes",
    "mask_pii",
]

_DIGIT = "[0-9\uff10-\uff19]"
# space, dash, ideographic space, full-width hyphen-minus, non-breaking space
_SEPARATOR = "[ \\-\u3000\uff0d\u00a0]"
_NUMBER_RUN = re.compile(
    rf"(?<![0-9\uff10-\uff19A-Za-z_.\uff0e])"
    rf"{_DIGIT}(?:{_SEPARATOR}?{_DIGIT})*[Xx\uff38\uff58]?"
    rf"(?![0-9\uff10-\uff19A-Za-z_]|[.\uff0e][0-9\uff10-\uff19])"
)
_SEPARATOR_SPLIT = re.compile(f"({_SEPARATOR})")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")

_ID_NUMBER = re.compile(
    r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]"
)
_MOBILE = re.compile(r"1[3-9]\d{9}")

OTP_MASK = "******"
# a code read out in Chinese numerals ("幺二三四五六"), optionally spaced
_CN_NUMERAL = "[零〇一二三四五六七八九幺两]"
_CN_CODE = re.compile(
    rf"(?<!{_CN_NUMERAL}|十|百|千|万)(?:{_CN_NUMERAL}\s?){{5}}{_CN_NUMERAL}(?!\s?{_CN_NUMERAL}|十|百|千|万)"
)


def _normalise(run: str) -> str:
    """Digits (and a trailing X) of a run, separators removed, full-width folded to ASCII."""
    return _SEPARATOR_SPLIT.sub("", run).translate(_FULL_WIDTH).upper()


def _mask_id(chars: str) -> str:
    return chars[:3] + "*" * 11 + chars[-4:]


def _mask_card(digits: str) -> str:
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_mobile(digits: str) -> str:
    return digits[:3] + "****" + digits[-4:]


def _classify(chars: str, *, otp: bool, mobile: bool, cards: bool) -> str | None:
    """The masked form of one number, or None when it is not personal data we mask."""
    if len(chars) == 18 and (chars.endswith("X") or _ID_NUMBER.fullmatch(chars)):
        return _mask_id(chars) if cards else None
    if not chars.isdigit():
        return None
    if 16 <= len(chars) <= 19:
        return _mask_card(chars) if cards else None
    if mobile and len(chars) == 11 and _MOBILE.fullmatch(chars):
        return _mask_mobile(chars)
    if otp and len(chars) == 6:
        return OTP_MASK
    return None


def _looks_like_grouped_code(parts: list[str]) -> bool:
    """A six-digit code typed with a separator is only recognised as ``123 456``."""
    groups = parts[::2]
    return len(groups) == 2 and all(len(_normalise(g)) == 3 for g in groups)


def _masker(*, otp: bool, mobile: bool, cards: bool) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        parts = _SEPARATOR_SPLIT.split(run)  # digits, separator, digits, ...
        if len(parts) > 1:
            groups = [_normalise(p) for p in parts[::2]]
            # Separated groups that are personal data on their own ("13800138000 123456",
            # "2026-11-29 13800138000") are treated one by one, whatever this masker masks;
            # otherwise the whole run is read as one number ("138 0013 8000").
            if any(_classify(g, otp=True, mobile=True, cards=True) for g in groups):
                return "".join(
                    (_classify(_normalise(p), otp=otp, mobile=mobile, cards=cards) or p)
                    if i % 2 == 0
                    else p
                    for i, p in enumerate(parts)
                )
            allow_otp = otp and _looks_like_grouped_code(parts)
        else:
            allow_otp = otp
        masked = _classify(_normalise(run), otp=allow_otp, mobile=mobile, cards=cards)
        return masked if masked is not None else run

    return replace


_MASK_ALL = _masker(otp=True, mobile=True, cards=True)
_MASK_OTP = _masker(otp=True, mobile=False, cards=False)
_MASK_CARDS = _masker(otp=False, mobile=False, cards=True)


def mask_pii(text: str) -> str:
    """Masks mobile numbers, card numbers, ID numbers and standalone six-digit codes.

    Examples: ``13800138000`` → ``138****8000``; ``6222 0212 3456 7890`` →
    ``************7890``; ``11010119900307123X`` → ``110***********123X``;
    ``验证码123456`` → ``验证码******``.
    """
    if not text:
        return text
    return _CN_CODE.sub(OTP_MASK, _NUMBER_RUN.sub(_MASK_ALL, text))


def mask_one_time_codes(text: str) -> str:
    """Masks standalone six-digit numbers only (used where a code is expected)."""
    if not text:
        return text
    return _CN_CODE.sub(OTP_MASK, _NUMBER_RUN.sub(_MASK_OTP, text))


def mask_card_and_id_numbers(text: str) -> str:
    """Masks card numbers (keeps the last four digits) and ID numbers only."""
    if not text:
        return text
    return _NUMBER_RUN.sub(_MASK_CARDS, text)


class PiiMaskingFilter(logging.Filter):
    """Masks personal data in a log record's message, arguments and formatted traceback.

    The record is rewritten in place (message formatted and masked, ``args`` cleared) so
    every handler after this filter sees masked text. It never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pii_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed %-format must not break logging
            message = f"{record.msg} {record.args}"
        record.msg = mask_pii(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
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
