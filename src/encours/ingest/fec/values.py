"""FEC field values as exports write them: three date layouts, amounts in every local style."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from encours.domain.plausibility import amount_problem

ZERO = Decimal(0)

# 1234,56  1234.56  0000000074,70  -12  12.5
_PLAIN = re.compile(r"\d+(?:[.,]\d*)?|[.,]\d+")
# 1.234.567,89  1,234,567.89  1.234.567 (groups of three, then an optional other decimal mark)
_GROUPED = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*(?:(?!\1)[.,]\d*)?")
_NOISE = str.maketrans("", "", " \u00a0\u202f'\u2019\t")


class AmountParser:
    """``parse_fec_amount`` memoised: half the amount fields of a FEC are ``0,00``."""

    def __init__(self, limit: int = 65536) -> None:
        self._seen: dict[str, Decimal] = {}
        self._limit = limit

    def __call__(self, text: str) -> Decimal:
        found = self._seen.get(text)
        if found is None:
            found = parse_fec_amount(text)
            if len(self._seen) < self._limit:
                self._seen[text] = found
        return found


def parse_fec_amount(text: str) -> Decimal:
    """An amount with a decimal comma or point, thousand separators, padding and a sign.

    Empty means zero (some exports leave the unused side blank). A lone separator is the
    decimal mark; a repeated one, or one followed by the other mark, groups thousands.
    """
    cleaned = text.translate(_NOISE)
    if not cleaned:
        return ZERO
    negative = False
    if cleaned[0] in "+-":
        negative = cleaned[0] == "-"
        cleaned = cleaned[1:]
    elif cleaned[-1] in "+-":  # mainframe style 74,70-
        negative = cleaned[-1] == "-"
        cleaned = cleaned[:-1]
    if _PLAIN.fullmatch(cleaned):
        number = cleaned.replace(",", ".")
    else:
        grouped = _GROUPED.fullmatch(cleaned)
        if grouped is None:
            raise ValueError(f"invalid amount {text.strip()[:40]!r}")
        number = cleaned.replace(grouped.group(1), "").replace(",", ".")
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns only let digits through
        raise ValueError(f"invalid amount {text.strip()!r}") from None
    problem = amount_problem(value)
    if problem:
        raise ValueError(problem)
    return -value if negative else value


class DateParser:
    """YYYYMMDD (the standard), YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY, memoised per file.

    A FEC repeats a few hundred dates over millions of lines, so each text is parsed once.
    """

    def __init__(self) -> None:
        self._seen: dict[str, dt.date] = {}

    def __call__(self, text: str) -> dt.date:
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = _parse_date(text)
        return found


def _parse_date(text: str) -> dt.date:
    core = text.strip()
    if len(core) == 10 and core[4] == "-" and core[7] == "-":
        digits = core[:4] + core[5:7] + core[8:]
    elif len(core) == 10 and core[2] == core[5] and core[2] in "/.":
        digits = core[6:] + core[3:5] + core[:2]
    else:
        digits = core
    if len(digits) == 8 and digits.isascii() and digits.isdigit():
        try:
            day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            pass
        else:
            return day
    raise ValueError(f"invalid date {core[:40]!r}, expected YYYYMMDD")
