"""Field parsers shared by importers; each returns a value or raises ValueError with a reason."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from encours.domain.money import is_whole_cents, to_decimal

TRUE_WORDS = {"true", "1", "yes", "oui", "y"}
FALSE_WORDS = {"false", "0", "no", "non", "n", ""}
MAX_IBANS_TEXT = 512  # customers.iban


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


def parse_ibans(text: str) -> str:
    """One or more IBANs separated by ``;``, each checked (country format and checksum).

    Returns them compact (no spaces, upper case), joined by ``;``, duplicates removed.
    """
    found: list[str] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        compact = str(stdnum_iban.compact(part))
        try:
            stdnum_iban.validate(compact)
        except ValidationError:
            raise ValueError(f"invalid IBAN {part.strip()!r}") from None
        if compact not in found:
            found.append(compact)
    if not found:
        raise ValueError(f"invalid IBAN {text!r}")
    joined = ";".join(found)
    if len(joined) > MAX_IBANS_TEXT:
        raise ValueError(f"too many IBANs ({len(found)}), at most {MAX_IBANS_TEXT} characters in all")
    return joined


def bounded_text(limit: int) -> Callable[[str], str]:
    """A free-text field of at most ``limit`` characters, without control characters."""

    def parse(text: str) -> str:
        value = " ".join(text.split())
        if len(value) > limit:
            raise ValueError(f"too long ({len(value)} characters, at most {limit})")
        if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            raise ValueError(f"control or invisible character in {text!r}")
        return value

    return parse
