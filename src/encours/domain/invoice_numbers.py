"""Invoice numbers as people write them in a transfer: normalised so that spellings compare equal.

A bank, a customer's accounting package and a FEC export each write the same number their own
way ("FA  220301", "fa-220301", "Facture n° 220301", "220301"). Two forms are compared:

- the *compact* form, capitals and digits only ("FA220301"): an exact reading;
- the *normalised* form, also without the usual prefixes (FA, FACT, FACTURE, INV, INVOICE, F,
  N°, REF...) and leading zeros ("220301"): a looser reading that can find the invoice from
  "n° 220301" but may also meet a number by chance, so the matching rules confirm it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from encours.domain.creditor_reference import compact_id

WINDOW = 3  # a number may be split by the bank into up to this many words ("FA 2203 01")
MIN_COMPACT = 4  # shorter exact readings ("F12") meet too many numbers by chance
MIN_NORMALISED = 3
# longest first, so that FACTURE is taken before FACT and FA; RFkkI: a mistyped Encours reference
_PREFIXES = re.compile(
    r"^(?:RF\d\dI|FACTURE|FACTNO|FACT|FACNO|FAC|FA|FT|INVOICE|INVNO|INV|REF|NO|NR|N|F)+(?=\d)"
)
_WORD = re.compile(r"[0-9A-Z]+")


class NumberReading(NamedTuple):
    """A possible invoice number read in a remittance text."""

    compact: str
    normalised: str


def plain(text: str) -> str:
    if text.isascii():  # nearly always: no accents to take off
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def normalise_number(number: str) -> str:
    """Without case, spaces, punctuation, usual prefixes and leading zeros: "FA-000123" → "123"."""
    return normalise_compact(compact_id(plain(number)))


def normalise_compact(compact: str) -> str:
    """``normalise_number`` of a number already compact (capitals and digits)."""
    stripped = _PREFIXES.sub("", compact).lstrip("0")
    return stripped or compact


def readings(text: str) -> list[NumberReading]:
    """Every run of up to ``WINDOW`` words of ``text`` holding a digit, in both forms, without repeats."""
    words = _WORD.findall(plain(text))
    found: dict[NumberReading, None] = {}
    for start in range(len(words)):
        for end in range(start + 1, min(start + WINDOW, len(words)) + 1):
            compact = "".join(words[start:end])
            if not any(ch.isdigit() for ch in compact):
                continue
            found.setdefault(NumberReading(compact, normalise_compact(compact)), None)
    return list(found)


def lookup_keys(text: str) -> Iterator[tuple[str, bool]]:
    """(key, exact) pairs to look up in an index of compact and normalised invoice numbers."""
    for reading in readings(text):
        if len(reading.compact) >= MIN_COMPACT:
            yield reading.compact, True
        if len(reading.normalised) >= MIN_NORMALISED:
            yield reading.normalised, False
