"""Masking of personal data (phones, card numbers, ID numbers, one-time codes) in text and logs.

`mask_pii` is deliberately eager: it is meant for log lines and other text where losing a
harmless six-digit number is better than leaking a one-time code. The tracker store uses the
narrower helpers (`mask_one_time_codes`, `mask_card_and_id_numbers`) so that stored
conversations keep phone numbers and ordinary numbers.

What counts as a phone, card, ID number or one-time code is defined once, as spaCy token
patterns in :mod:`bankkit.pii_patterns`, which the NLU's entity extractor uses too. Digits
may be full-width and grouped with single spaces or dashes (``138 0013 8000``,
``6222-0212-3456-7890``); a number glued to ASCII letters, or with a decimal part, is left
alone, so hex ids, amounts (``123456.78``) and reference numbers (``GS20261129000123``)
are not masked.
"""

from __future__ import annotations

import logging

from bankkit.pii_patterns import CARD, CN_CODE, CODE, ID_NUMBER, PHONE, PiiSpan, find_structured_pii

__all__ = [
    "PiiMaskingFilter",
    "install_log_masking",
    "mask_card_and_id_numbers",
    "mask_one_time_codes",
    "mask_pii",
]

OTP_MASK = "******"


def _mask_id(chars: str) -> str:
    return chars[:3] + "*" * 11 + chars[-4:]


def _mask_card(digits: str) -> str:
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_mobile(digits: str) -> str:
    return digits[:3] + "****" + digits[-4:]


def _masked(span: PiiSpan, *, otp: bool, mobile: bool, cards: bool) -> str | None:
    """The masked form of one detected number, or None when this masker keeps it."""
    if span.label == ID_NUMBER:
        return _mask_id(span.value) if cards else None
    if span.label == CARD:
        return _mask_card(span.value) if cards else None
    if span.label == PHONE:
        return _mask_mobile(span.value) if mobile else None
    if span.label in (CODE, CN_CODE):
        return OTP_MASK if otp else None
    return None


def _mask(text: str, *, otp: bool, mobile: bool, cards: bool) -> str:
    # every kind is detected even when this masker keeps it, so a phone number is
    # never half-masked as a "code" by the narrower maskers
    pieces, last = [], 0
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
