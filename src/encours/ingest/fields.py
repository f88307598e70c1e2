"""Field parsers shared by importers; each returns a value or raises ValueError with a reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from encours.domain.money import is_whole_cents, to_decimal

TRUE_WORDS = {"true", "1", "yes", "oui", "y"}
FALSE_WORDS = {"false", "0", "no", "non", "n", ""}


def parse_iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"invalid date {text!r}, expected YYYY-MM-DD") from None


def parse_amount(text: str, *, decimal_comma: bool = False) -> Decimal:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise ValueError("empty amount")
    try:
        value = to_decimal(cleaned)
    except ValueError:
        raise ValueError(f"invalid amount {text!r}") from None
    if not is_whole_cents(value):
        raise ValueError(f"amount {text!r} has more than 2 decimals")
    return value


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"invalid boolean {text!r}, expected true or false")


def parse_currency(text: str) -> str:
    """An ISO 4217 code, upper-cased; three ASCII letters (``isalpha`` would let "ÉUR" in)."""
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"invalid currency {text!r}, expected an ISO 4217 code")
    return code


def yyyymmdd(text: str) -> dt.date:
    """A compact date; raises ValueError unless exactly 8 digits forming a real day."""
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"invalid date {text!r}, expected YYYYMMDD")
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
