"""SWIFT MT940 statements, read with the ``mt-940`` library.

A file may chain several statements (one per ``:20:``); each is parsed on its own so every
transaction keeps its statement's account. Every ``:61:`` line is a bank line: credits
(``C``) and reversed debits (``RD``) positive, debits (``D``) and reversed credits (``RC``)
negative. The ``:60F:``/``:60M:`` and ``:62F:``/``:62M:`` balances are read for the check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

import mt940 as mt940_lib
from stdnum import iban

from encours.domain.errors import LedgerError
from encours.ingest import detect
from encours.ingest.bank.kinds import mt940_code, mt940_kind
from encours.ingest.bank.records import Balance, BankFile, BankLine, Statement
from encours.ingest.fields import parse_currency, plausible_amount
from encours.ingest.textfile import decode

_STATEMENT_START = re.compile(r"^:20:", re.M)
_TRANSACTION = re.compile(r"^:61:", re.M)
_NO_REFERENCE = "NONREF"
# SWIFT :61: is 6!n[4!n]2a[1!a]15d1!a3!c...: value date, entry date, mark, funds code, amount
# (15d: digits, one decimal comma, at most two decimals), transaction type (S, N or F + 3 characters)
_LINE_61 = re.compile(
    r":61:(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[DC])[A-Z]?\n?(?P<amount>\d{1,12},\d{0,2})[SNF][A-Z0-9]{3}"
)


def parse_mt940(file: str, data: bytes) -> BankFile:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    starts = [match.start() for match in _STATEMENT_START.finditer(text)]
    if not starts:
        return BankFile(file, detect.MT940, errors=(LedgerError(file, 1, ":20:", "no MT940 statement"),))
    receipts: list[Statement] = []
    errors: list[LedgerError] = []
    bounds = [0, *starts[1:], len(text)]
    for begin, end in itertools.pairwise(bounds):
        first_line = text.count("\n", 0, begin) + 1
        block = text[begin:end]
        try:
            receipts.append(_statement_receipts(block, first_line))
        except _Problem as problem:
            errors.append(LedgerError(file, problem.line, problem.field, str(problem)))
    return BankFile(file, detect.MT940, tuple(receipts), tuple(errors))


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


def _statement_receipts(block: str, first_line: int) -> Statement:
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
        status = str(details.get("status") or "")
        amount = details["amount"]
        if abs(Decimal(amount.amount)) != stated:  # the library read another amount than written
            raise _Problem(line, ":61:", f"amount {stated} read as {amount.amount}: the line is damaged")
        # the library already holds a Decimal, never a float; the sign is the mark's
        paid = abs(Decimal(amount.amount)) * (1 if status in ("C", "RD") else -1)
        try:
            currency = parse_currency(str(details.get("currency") or amount.currency or ""))
        except ValueError as exc:
            raise _Problem(line, ":61:", str(exc)) from None
        booked = details.get("entry_date") or details["date"]
        day = dt.date(booked.year, booked.month, booked.day)  # the library's own date subclass
        value = details["date"]
        swift, business = str(details.get("id") or ""), str(details.get("transaction_code") or "")
        remittance = _remittance(details)
        receipts.append(
            BankLine(
                account=account,
                booking_date=day,
                value_date=dt.date(value.year, value.month, value.day),
                amount=paid,
                currency=currency,
                payer_name=_debtor(details),
                payer_iban=_payer_iban(details),
                remittance=remittance,
                creditor_reference="",
                end_to_end_id=_end_to_end(details),
                bank_reference=_reference(details),
                transaction_code=mt940_code(swift, business),
                kind=mt940_kind(paid, swift, business, remittance, status.startswith("R")),
                line=line,
            )
        )
    data = statement.data
    statement_id = "/".join(str(data.get(k) or "") for k in ("statement_number", "sequence_number"))
    opening = _balance(data, "final_opening_balance", "intermediate_opening_balance", block, first_line, "60")
    closing = _balance(data, "final_closing_balance", "intermediate_closing_balance", block, first_line, "62")
    currency = opening.currency if opening is not None else (receipts[0].currency if receipts else "")
    return Statement(
        account, statement_id.strip("/"), currency,
        None if opening is None else opening.balance, None if closing is None else closing.balance,
        tuple(receipts), first_line,
    )  # fmt: skip


class _ReadBalance(NamedTuple):
    balance: Balance
    currency: str


def _balance(
    data: Mapping[str, Any], final: str, intermediate: str, block: str, first_line: int, tag: str
) -> _ReadBalance | None:
    """A ``:60:`` or ``:62:`` balance, signed, with the line it is on."""
    found = data.get(final) or data.get(intermediate)
    if found is None:
        return None
    where = re.search(rf"^:{tag}[FM]:", block, re.M)
    line = first_line + (block.count("\n", 0, where.start()) if where else 0)
    day = getattr(found, "date", None)
    date = None if day is None else dt.date(day.year, day.month, day.day)
    return _ReadBalance(Balance(Decimal(found.amount.amount), date, line), str(found.amount.currency or ""))


def _payer_iban(details: Mapping[str, Any]) -> str:
    """The counterpart's IBAN: its own subfield, or glued before the name (German ``:86:``)."""
    stated = str(details.get("applicant_iban") or "").replace(" ", "")
    if stated and iban.is_valid(stated):
        return iban.compact(stated)
    name = str(details.get("applicant_name") or "").strip()
    for length in range(34, 14, -1):
        if len(name) > length and iban.is_valid(name[:length]):
            return name[:length]
    return ""


def _end_to_end(details: Mapping[str, Any]) -> str:
    value = str(details.get("end_to_end_reference") or "").strip()
    return "" if value.upper() in ("", _NO_REFERENCE, "NOTPROVIDED") else value


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
