"""Implausible values (SPEC §2): the rules every importer applies, whatever the format.

Each check is a pure function returning the problem in words (or None), so a parser can
turn it into an error naming its own file, line and field, and ``record_errors`` can check
every record an importer produced as a last gate before storage (errors as data, as in
beancount's validation). Nothing here raises.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal

from babel.numbers import list_currencies

from encours.domain.errors import LedgerError
from encours.domain.records import Customer, Entry, EntryKind

MAX_AMOUNT = Decimal(10) ** 12  # a trillion: beyond any receivable, and far inside a 64-bit cent count
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_FIELD = 1000  # characters of any one field of a text file, before it is read further
PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")

# Default-ignorable code points that are not format characters (Cf): combining grapheme
# joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other variation selectors.
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0x180B, 0x1810), *range(0xFE00, 0xFE10)]
)
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})


def amount_problem(value: Decimal) -> str | None:
    """A finite amount below 10^12 in whole cents."""
    if not value.is_finite():
        return f"{value} is not an amount"
    if abs(value) >= MAX_AMOUNT:
        return f"amount {value} is implausible (10^12 or more); check the decimal mark and the digits"
    if value != value.quantize(Decimal("0.01")):
        return f"amount {value} has more than 2 decimals"
    return None


def amount_text_problem(text: str) -> str | None:
    """The written form: a plain decimal, never ``1e15``, ``NaN`` or ``Infinity``."""
    cleaned = text.strip()
    if not PLAIN_DECIMAL.fullmatch(cleaned):
        return f"invalid amount {text[:40]!r}, expected a plain decimal such as 1234.56"
    if len(cleaned) <= 12:  # too short to reach 10^12
        return None
    digits = len(cleaned.lstrip("+-").replace(",", ".").split(".")[0].lstrip("0"))
    if digits > 12:
        return f"amount {text[:40]!r} is implausible (10^12 or more); check the decimal mark and the digits"
    return None


def date_problem(day: dt.date) -> str | None:
    if EARLIEST <= day <= LATEST:
        return None
    return f"date {day.isoformat()} is implausible, expected between 1990-01-01 and 2100-12-31"


def due_date_problem(issue: dt.date, due: dt.date) -> str | None:
    if due >= issue:
        return None
    return f"due date {due.isoformat()} is before the issue date {issue.isoformat()}"


@functools.cache
def iso_currencies() -> frozenset[str]:
    """ISO 4217 codes as the CLDR (through Babel) lists them, historic ones included."""
    return frozenset(list_currencies())


def currency_problem(code: str) -> str | None:
    if code in iso_currencies():
        return None
    return f"invalid currency {code[:20]!r}, not an ISO 4217 code (such as EUR)"


def invisible_character(text: str) -> str | None:
    """The first control or invisible character of ``text``, named, or None."""
    for ch in text:
        if ch == " " or (" " < ch <= "~"):
            continue
        point = ord(ch)
        category = unicodedata.category(ch)
        if category in _INVISIBLE_CATEGORIES or point in _IGNORABLE or (category == "Zs"):
            name = unicodedata.name(ch, "control character")
            return f"U+{point:04X} {name}"
    return None


def identifier_problem(text: str, limit: int = 64) -> str | None:
    """An id as people compare them: visible characters only, no surrounding spaces."""
    if 0 < len(text) <= limit and text.isascii() and text.isprintable() and text[0] != " " != text[-1]:
        return None  # the usual id, checked at C speed
    if not text:
        return "empty identifier"
    if len(text) > limit:
        return f"identifier longer than {limit} characters ({len(text)})"
    if text != text.strip():
        return f"identifier {text[:40]!r} has surrounding spaces; remove them"
    found = invisible_character(text)
    if found is not None:
        return f"identifier {text[:40]!r} contains an invisible or control character ({found}); retype it"
    if unicodedata.normalize("NFC", text) != text:
        return f"identifier {text[:40]!r} has decomposed accents (not Unicode NFC); retype it"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_problem(text: str) -> str | None:
    found = _CONTROL.search(text)
    return None if found is None else f"control character U+{ord(found.group()):04X} in {text[:40]!r}"


def text_problem(text: str, limit: int) -> str | None:
    """A free-text value: at most ``limit`` characters, no control character (NUL...).

    Line breaks and tabs pass (XML texts wrap); names from 8-bit exports keep their letters.
    """
    if len(text) > limit:
        return f"too long ({len(text)} characters, at most {limit})"
    return _control_problem(text)


def field_too_long(text: str) -> str | None:
    if len(text) <= MAX_FIELD:
        return None
    return f"field of {len(text)} characters, at most {MAX_FIELD}"


# -- records: the last gate before storage --------------------------------------------------


def _at(record: Customer | Entry, field: str, message: str) -> LedgerError:
    return LedgerError(record.source.file, record.source.line, field, message)


def entry_errors(entry: Entry, limits: Mapping[str, int]) -> list[LedgerError]:
    """Every implausible value of one stored-to-be entry, in the record's own field names."""
    problems = [
        ("customer_id", identifier_problem(entry.customer_id, limits.get("customer_id", 64))),
        ("amount", amount_problem(entry.amount)),
        ("date", date_problem(entry.date)),
        ("due_date", date_problem(entry.due_date)),
        ("currency", currency_problem(entry.currency)),
        ("reference", text_problem(entry.reference, limits.get("reference", MAX_FIELD))),
        ("key", None if len(entry.key) <= limits.get("key", MAX_FIELD) else "record key too long"),
        ("label", _control_problem(entry.label)),  # stored cut to its column: only control characters
    ]
    if entry.kind is EntryKind.INVOICE:
        problems.append(("due_date", due_date_problem(entry.date, entry.due_date)))
    return [_at(entry, field, message) for field, message in problems if message]


def customer_errors(customer: Customer, limits: Mapping[str, int]) -> list[LedgerError]:
    """Every implausible value of one customer; text limits are the stored columns' widths."""
    errors = []
    found = identifier_problem(customer.customer_id, limits.get("customer_id", 64))
    if found:
        errors.append(_at(customer, "customer_id", found))
    if customer.currency is not None and (problem := currency_problem(customer.currency)):
        errors.append(_at(customer, "currency", problem))
    if customer.credit_limit is not None and (problem := amount_problem(customer.credit_limit)):
        errors.append(_at(customer, "credit_limit", problem))
    for field, value in zip(Customer._fields, customer, strict=True):
        if isinstance(value, str) and field in limits and field != "customer_id":
            problem = text_problem(value, limits[field])
            if problem:
                errors.append(_at(customer, field, problem))
    return errors


def record_errors(
    customers: Iterable[Customer], entries: Iterable[Entry], limits: Mapping[str, int]
) -> list[LedgerError]:
    """Every implausible value among an import's records (``limits``: field -> max length).

    A million entries pass in about a second: the usual entry is cleared by comparisons
    alone (ids checked once each); only a suspect one goes through ``entry_errors``.
    """
    errors = [error for customer in customers for error in customer_errors(customer, limits)]
    currencies = iso_currencies()
    id_limit = limits.get("customer_id", 64)
    reference_limit, key_limit = limits.get("reference", MAX_FIELD), limits.get("key", MAX_FIELD)
    good_ids: dict[str, bool] = {}
    for entry in entries:
        good_id = good_ids.get(entry.customer_id)
        if good_id is None:
            good_id = good_ids[entry.customer_id] = identifier_problem(entry.customer_id, id_limit) is None
        if (
            good_id
            and -MAX_AMOUNT < entry.amount < MAX_AMOUNT
            and EARLIEST <= entry.date <= LATEST
            and EARLIEST <= entry.due_date <= LATEST
            and (entry.due_date >= entry.date or entry.kind is not EntryKind.INVOICE)
            and entry.currency in currencies
            and len(entry.reference) <= reference_limit
            and len(entry.key) <= key_limit
            and _CONTROL.search(entry.reference) is None
            and _CONTROL.search(entry.label) is None
        ):
            continue  # whole cents: every parser checks them where it reads the amount
        errors += entry_errors(entry, limits)
    return errors


def moved_documents(entries: Iterable[Entry], stored_owner: Mapping[str, str]) -> list[LedgerError]:
    """Invoices and credit notes a re-import would give to another customer than the stored one."""
    return [
        _at(
            entry,
            "customer_id",
            f"{entry.reference} belongs to customer {stored_owner[entry.key]!r} already; "
            f"a re-import cannot move it to {entry.customer_id!r} (fix the customer id, or credit "
            "the invoice and issue a new one)",
        )
        for entry in entries
        if entry.kind.is_sale and entry.key in stored_owner and stored_owner[entry.key] != entry.customer_id
    ]
