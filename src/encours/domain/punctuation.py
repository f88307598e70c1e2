"""Spacing around punctuation as each language writes it, in one place for every screen.

French puts a narrow no-break space (U+202F) before ``: ; ? !`` and ``%`` and inside « »;
English puts no space before them. ``mark`` gives a sign with its spacing where a screen joins
two pieces (a label and its value); ``spaced`` fixes a whole French sentence written with
ordinary spaces; ``percent`` writes a figure with its per cent sign.
"""

from __future__ import annotations

import re

NARROW = "\u202f"
_BEFORE = re.compile(r"[ \u00a0]([:;?!%»])")  # an ordinary or no-break space before a high sign
_AFTER = re.compile(r"«[ \u00a0]")


def mark(sign: str, language: str) -> str:
    """``sign`` (``:``, ``;``, ``?``, ``!``, ``%``) with the space that goes before it."""
    return f"{NARROW}{sign}" if language == "fr" else sign


def spaced(text: str, language: str) -> str:
    """``text`` with French spacing when ``language`` is French (English text is left alone)."""
    if language != "fr" or not any(sign in text for sign in ":;?!%«»"):
        return text
    return _AFTER.sub(f"«{NARROW}", _BEFORE.sub(NARROW + r"\1", text))


def percent(figure: str, language: str) -> str:
    """A figure already written in ``language`` (``12,5``), followed by its per cent sign."""
    return f"{figure}{mark('%', language)}"
