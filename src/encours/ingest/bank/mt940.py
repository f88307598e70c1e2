"""SWIFT MT940 statements, read with the ``mt-940`` library.

A file may chain several statements (one per ``:20:``); each is parsed on its own so every
transaction keeps its statement's account. Credits (``C``) are receipts; debits and
reversals (``RC``, ``RD``) are not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import mt940 as mt940_lib
from stdnum import iban

from encours.domain.errors import LedgerError
from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.bank.common import Receipt, receipts_to_parsed
from encours.ingest.fields import parse_currency, plausible_amount
from encours.ingest.parsed import ParsedFile
from encours.ingest.textfile import decode

_STATEMENT_START = re.compile(r"^:20:", re.M)
_TRANSACTION = re.compile(r"^:61:", re.M)
_NO_REFERENCE = "NONREF"
# SWIFT :61: is 6!n[4!n]2a[1!a]15d1!a3!c...: value date, entry date, mark, funds code, amount
# (15d: digits, one decimal comma, at most two decimals), transaction type (S, N or F + 3 characters)
_LINE_61 = re.compile(
    r":61:(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[DC])[A-Z]?\n?(?P<amount>\d{1,12},\d{0,2})[SNF][A-Z0-9]{3}"
)


def parse_mt940(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    starts = [match.start() for match in _STATEMENT_START.finditer(text)]
    if not starts:
        return ParsedFile(file, detect.MT940, errors=(LedgerError(file, 1, ":20:", "no MT940 statement"),))
    receipts: list[Receipt] = []
    errors: list[LedgerError] = []
    bounds = [0, *starts[1:], len(text)]
    for begin, end in itertools.pairwise(bounds):
        first_line = text.count("\n", 0, begin) + 1
        block = text[begin:end]
        try:
            receipts.extend(_statement_receipts(block, first_line))
        except _Problem as problem:
            errors.append(LedgerError(file, problem.line, problem.field, str(problem)))
    return receipts_to_parsed(file, detect.MT940, receipts, known, errors)


class _Problem(ValueError):
    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field


@contextlib.contextmanager
def _quiet_library() -> Iterator[None]:
    """The library logs every failed pattern at ERROR level; our error report is enough."""
    logger = logging.getLogger("mt940")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def _check_transaction(block: str, start: int, line: int) -> Decimal:
    """The library reads a damaged :61: line leniently (``50990,0X`` as 50990.00): each one is
    checked here against the SWIFT layout first; returns the amount as written."""
    match = _LINE_61.match(block, start)
    if match is None:
        text = block[start:].split("\n", 1)[0]
        raise _Problem(line, ":61:", f"invalid statement line {text[:80]!r}")
    value = match.group("value")
    try:
        year = 2000 + int(value[:2])
        dt.date(year, int(value[2:4]), int(value[4:6]))
        if match.group("entry"):
            entry = match.group("entry")
            dt.date(year, int(entry[:2]), int(entry[2:]))  # any year: only month and day are checked
    except ValueError:
        raise _Problem(line, ":61:", f"invalid date in {match.group()[4:]!r}") from None
    try:
        return plausible_amount(Decimal(match.group("amount").replace(",", ".")))
    except ValueError as exc:
        raise _Problem(line, ":61:", str(exc)) from None


def _statement_receipts(block: str, first_line: int) -> list[Receipt]:
    starts = [m.start() for m in _TRANSACTION.finditer(block)]
    tx_lines = [first_line + block.count("\n", 0, start) for start in starts]
    written = [_check_transaction(block, start, line) for start, line in zip(starts, tx_lines, strict=True)]
    statement = mt940_lib.models.Transactions()
    try:
        with _quiet_library():
            statement.parse(block)
    except RuntimeError as exc:
        tag_id, value = _failed_tag(exc)
        line = _line_of(block, first_line, tag_id, value)
        raise _Problem(line, f":{tag_id}:" if tag_id else "", f"unreadable MT940 field {value!r}") from None
    except (ValueError, KeyError, IndexError) as exc:  # e.g. an impossible date in a balance
        raise _Problem(first_line, "", f"unreadable MT940 statement: {exc}") from None
    if len(tx_lines) != len(statement.transactions):
        raise _Problem(first_line, ":61:", "could not read every :61: transaction of this statement")
    account = str(statement.data.get("account_identification") or "")
    receipts = []
    for transaction, line, stated in zip(statement.transactions, tx_lines, written, strict=True):
        details: dict[str, Any] = transaction.data
        amount = details["amount"]
        if abs(Decimal(amount.amount)) != stated:  # the library read another amount than written
            raise _Problem(line, ":61:", f"amount {stated} read as {amount.amount}: the line is damaged")
        if details.get("status") != "C":
            continue
        paid = Decimal(amount.amount)  # the library already holds a Decimal, never a float
        if paid <= 0:
            continue
        try:
            currency = parse_currency(str(details.get("currency") or amount.currency or ""))
        except ValueError as exc:
            raise _Problem(line, ":61:", str(exc)) from None
        booked = details.get("entry_date") or details["date"]
        day = dt.date(booked.year, booked.month, booked.day)  # the library's own date subclass
        receipts.append(
            Receipt(
                account=account,
                date=day,
                amount=paid,
                currency=currency,
                bank_ref=_reference(details),
                debtor_name=_debtor(details),
                remittance=_remittance(details),
                line=line,
            )
        )
    return receipts


def _failed_tag(exc: RuntimeError) -> tuple[str, str]:
    args = exc.args
    tag = args[1] if len(args) > 1 else None
    value = str(args[2]) if len(args) > 2 else ""
    return str(getattr(tag, "id", "") or ""), value


def _line_of(block: str, first_line: int, tag_id: str, value: str) -> int:
    head = value.split("\n", 1)[0]
    found = block.find(f":{tag_id}:{head}") if tag_id else -1
    return first_line + (block.count("\n", 0, found) if found >= 0 else 0)


def _reference(details: Mapping[str, Any]) -> str:
    for name in ("bank_reference", "end_to_end_reference", "customer_reference"):
        value = str(details.get(name) or "").strip()
        if value and value.upper() != _NO_REFERENCE:
            return value
    return ""


def _debtor(details: Mapping[str, Any]) -> str:
    """The payer's name; German :86: subfields put the payer's IBAN right before it."""
    name = str(details.get("applicant_name") or "").strip()
    for length in range(34, 14, -1):
        if len(name) > length and iban.is_valid(name[:length]):
            name = name[length:]
            break
    return " ".join(name.split())


def _remittance(details: Mapping[str, Any]) -> str:
    parts = (
        details.get("purpose"),
        details.get("additional_purpose"),
        details.get("end_to_end_reference"),
        details.get("transaction_details"),
    )
    return " ".join(" ".join(str(part).split()) for part in parts if part)
