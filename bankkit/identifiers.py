"""Chinese bank identifiers: phone numbers, 身份证 numbers, card numbers; checks and masks."""

from __future__ import annotations

import re

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def normalise_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits, or None if `raw` is not one.

    Spaces, dashes and a +86/86 prefix are tolerated because customers type them.
    """
    digits = re.sub(r"[\s\-()]", "", raw or "")
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


def mask_phone(phone: str) -> str:
    """`13800138000` → `138****8000`."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    """`110101199003071234` → `110***********1234`."""
    return f"{id_number[:3]}{'*' * (len(id_number) - 7)}{id_number[-4:]}"


def mask_card_number(number: str) -> str:
    """`6222021234561234` → `尾号1234`."""
    return f"尾号{number[-4:]}"


_DIGIT_RUN = re.compile(r"\d{6,}")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    return f"{run[:3]}****{run[-4:]}" if len(run) >= 11 else "*" * len(run)


def mask_digit_runs(text: str) -> str:
    """Mask runs of 6+ digits (phones, card and ID numbers, one-time codes) for logs."""
    return _DIGIT_RUN.sub(_mask_run, text)
