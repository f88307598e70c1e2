"""Field parsers shared by importers; each returns a value or raises ValueError with a reason."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from encours.domain.money import to_decimal
from encours.domain.plausibility import (
    amount_problem,
    amount_text_problem,
    currency_problem,
    date_problem,
    identifier_problem,
)

TRUE_WORDS = {"true", "1", "yes", "oui", "y"}
FALSE_WORDS = {"false", "0", "no", "non", "n", ""}
MAX_IBANS_TEXT = 512  # customers.iban


def plausible_date(day: dt.date) -> dt.date:
    """``day`` unless SPEC §2 calls it implausible (ValueError with the reason)."""
    problem = date_problem(day)
    if problem:
        raise ValueError(problem)
    return day


@functools.lru_cache(maxsize=8192)  # a ledger repeats a few thousand dates over millions of rows
def parse_iso_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"invalid date {text[:40]!r}, expected YYYY-MM-DD") from None
    return plausible_date(day)


def parse_amount(text: str, *, decimal_comma: bool = False) -> Decimal:
    """A plain decimal (never ``1e15``, ``NaN``), below 10^12, in whole cents."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        raise ValueError("empty amount")
    if not decimal_comma and "," in cleaned:
        raise ValueError(f"invalid amount {text[:40]!r}, expected a plain decimal such as 1234.56")
    problem = amount_text_problem(cleaned)
    if problem:
        raise ValueError(problem)
    return plausible_amount(to_decimal(cleaned.replace(",", ".")))


def plausible_amount(value: Decimal) -> Decimal:
    """``value`` unless SPEC §2 calls it implausible (ValueError with the reason)."""
    problem = amount_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def parse_identifier(text: str) -> str:
    """An id as written: visible characters, no surrounding spaces (an invisible duplicate else)."""
    problem = identifier_problem(text)
    if problem:
        raise ValueError(problem)
    return text


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
    if not re.fullmatch(r"[A-Z]{3}", code) or currency_problem(code):
        raise ValueError(f"invalid currency {text[:20]!r}, expected an ISO 4217 code such as EUR")
    return code


def yyyymmdd(text: str) -> dt.date:
    """A compact date; raises ValueError unless exactly 8 digits forming a real day."""
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"invalid date {text[:40]!r}, expected YYYYMMDD")
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValueError(f"invalid date {text!r}, expected YYYYMMDD") from None
    return plausible_date(day)


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
