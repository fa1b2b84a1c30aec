"""Chinese bank identifiers: phone, 身份证 and card numbers, card tails, one-time codes.

Check digits and the canonical form of a known number (what the CRM stores), and the
finders the NLU and the actions use on customer text. The ``find_*`` functions return
:class:`bankkit.text.Span` objects (offsets into the text *as given*); the ``extract_*``
functions return only the canonical value of the first match.
"""

from __future__ import annotations

import re

from bankkit import pii_patterns
from bankkit.amounts import starts_with_money_unit
from bankkit.chars import normalise_chars, to_halfwidth
from bankkit.text import Span

__all__ = [
    "extract_card_number",
    "extract_card_tail",
    "extract_phone",
    "extract_verification_code",
    "find_card_numbers",
    "find_card_tails",
    "find_phones",
    "find_verification_codes",
    "id_number_check_char",
    "is_luhn_valid",
    "is_valid_id_number",
    "luhn_check_digit",
    "normalise_phone",
]

_PHONE_RE = re.compile(pii_patterns.MOBILE_REGEX)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def normalise_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits, or None if `raw` is not one.

    Spaces, dashes, full-width digits and a +86/86 prefix are tolerated because
    customers type them.
    """
    digits = re.sub(r"[\s\-()]", "", to_halfwidth(raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _PHONE_RE.match(digits) else None


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character of an 18-digit 身份证 number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def is_valid_id_number(value: str) -> bool:
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[17] in "0123456789X"
        and id_number_check_char(value[:17]) == value[17]
    )


def luhn_check_digit(body: str) -> str:
    """The Luhn check digit to append to `body`."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled positions, counted from the right of the body
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    return (
        number.isdigit() and 16 <= len(number) <= 19 and luhn_check_digit(number[:-1]) == number[-1]
    )


# phones, card numbers and one-time codes are spaCy token patterns shared with the log
# masking (bankkit/pii_patterns.py); the NLU adds the context rules below
_CARD_TAIL = re.compile(
    r"(?:尾号|尾数|卡尾|末四位|末4位|后四位|后4位|最后四位|最后4位|末尾)"
    r"(?:是|为|:|\s)*(?P<tail>\d{4})(?!\d)"
)
# a code is never money (see starts_with_money_unit) or a card tail
_NOT_CODE_BEFORE = re.compile(r"(?:尾号|尾数|卡号|账号|手机号?|电话|金额|[¥$])\s*(?:是|为|:)?\s*$")


def find_phones(text: str) -> list[Span]:
    """Mainland mobile numbers (1[3-9] + 9 digits), spaces/dashes/+86 allowed.

    The span covers the 11 digits (and separators), not the ``+86`` prefix.
    """
    return _structured(text, {pii_patterns.PHONE})


def find_card_numbers(text: str) -> list[Span]:
    """Bank card numbers: 16–19 digits, contiguous or in groups of four."""
    return _structured(text, {pii_patterns.CARD})


def _structured(text: str, labels: set[str]) -> list[Span]:
    # overlaps are resolved across all kinds first: a phone is never also a code
    return [
        Span(s.start, s.end, s.value)
        for s in pii_patterns.find_structured_pii(normalise_chars(text))
        if s.label in labels
    ]


def find_card_tails(text: str) -> list[Span]:
    """The last four digits of a card after 尾号/末四位/后四位…; span = the four digits."""
    norm = normalise_chars(text)
    return [
        Span(m.start("tail"), m.end("tail"), m.group("tail")) for m in _CARD_TAIL.finditer(norm)
    ]


def find_verification_codes(text: str) -> list[Span]:
    """Six-digit one-time codes: 482913, 482 913, 四八二九一三, 四八 二九 一三 (幺/洞 too).

    Never part of a phone number or card number, never an amount (100000元,
    20万), never a run of more or fewer than six digits.
    """
    norm = normalise_chars(text)
    return [
        span
        for span in _structured(norm, {pii_patterns.CODE, pii_patterns.CN_CODE})
        if not starts_with_money_unit(norm[span.end :])
        and not _NOT_CODE_BEFORE.search(norm[: span.start])
    ]


def _first_value(spans: list[Span]) -> str | None:
    return spans[0].value if spans else None


def extract_phone(text: str) -> str | None:
    """First mainland mobile number as 11 digits: ``+86 138-0013-8000`` → ``13800138000``."""
    return _first_value(find_phones(text))


def extract_card_number(text: str) -> str | None:
    """First card number as 16–19 digits without separators."""
    return _first_value(find_card_numbers(text))


def extract_card_tail(text: str) -> str | None:
    """Last four digits of a card: ``尾号1234的那张`` → ``"1234"``."""
    return _first_value(find_card_tails(text))


def extract_verification_code(text: str) -> str | None:
    """First six-digit one-time code: ``验证码是四八二九一三`` → ``"482913"``."""
    return _first_value(find_verification_codes(text))
