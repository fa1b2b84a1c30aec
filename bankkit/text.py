"""Free text as the bot compares it, and the span type the finders return.

Offsets: :func:`bankkit.chars.normalise_chars` maps every character to exactly one
character, so an offset into its output is also an offset into its input; the NLU relies
on that. :func:`normalise_text` also collapses whitespace and is therefore *not*
length-preserving: use it for free text (slot values, look-ups), never for offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bankkit.chars import normalise_chars

__all__ = ["Span", "normalise_text"]


@dataclass(frozen=True)
class Span:
    """A match in a text: ``text[start:end]`` is the surface, ``value`` the canonical form."""

    start: int
    end: int
    value: str


_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Half-width + Simplified, whitespace runs collapsed to one space, stripped.

    Not length-preserving (whitespace is collapsed): the NLU components use
    :func:`bankkit.chars.normalise_chars` instead so that entity offsets stay valid.
    """
    return _WHITESPACE.sub(" ", normalise_chars(text)).strip()
