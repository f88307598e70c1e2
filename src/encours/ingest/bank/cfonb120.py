"""CFONB 120 "relevé de compte": the French banks' fixed-width statement (records of 120 chars).

No maintained Python library reads it, so this is a strict parser of the four records:
01 old balance, 04 movement, 05 movement complement (qualifier + 70 characters), 07 new
balance. Every movement is a bank line, typed by its interbank operation code (positions
33-34) and label. Amounts are 13 digits plus a last character carrying both the last digit and the
sign (``{`` and A..I positive, ``}`` and J..R negative); the record says how many decimals.
Each account section must balance: old balance + movements = new balance.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import NamedTuple

from encours.domain.errors import LedgerError
from encours.ingest import detect
from encours.ingest.bank.kinds import cfonb_kind
from encours.ingest.bank.records import Balance, BankFile, BankLine, Statement
from encours.ingest.fields import parse_currency, plausible_amount, plausible_date
from encours.ingest.textfile import decode, physical_lines

RECORD = 120
_LAST_CHAR = {
    **{"{": (0, 1), "}": (0, -1)},
    **{chr(ord("A") + i): (i + 1, 1) for i in range(9)},
    **{chr(ord("J") + i): (i + 1, -1) for i in range(9)},
}
_AMOUNT = re.compile(r"\d{13}[{}A-R]")
_PAYER = ("NPY",)  # nom du payeur
_REMITTANCE = ("LIB", "RCN", "REF")  # libellé, référence client, référence de l'opération


class CfonbError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def cfonb_amount(zone: str, decimals: int) -> Decimal:
    """Decode a 14-character signed amount zone, e.g. ``0000000001944}`` with 2 decimals = -194.40."""
    if not _AMOUNT.fullmatch(zone):
        raise CfonbError("amount", f"invalid amount zone {zone!r}")
    digit, sign = _LAST_CHAR[zone[-1]]
    try:
        return plausible_amount(sign * Decimal(int(zone[:13]) * 10 + digit).scaleb(-decimals))
    except ValueError as exc:
        raise CfonbError("amount", str(exc)) from None


def cfonb_date(zone: str, field: str) -> dt.date:
    """DDMMYY; years 80-99 are 19xx (the format dates from the 1980s), others 20xx."""
    if not re.fullmatch(r"\d{6}", zone):
        raise CfonbError(field, f"invalid date {zone!r}, expected DDMMYY")
    year = int(zone[4:6])
    try:
        day = dt.date(year + (1900 if year >= 80 else 2000), int(zone[2:4]), int(zone[0:2]))
    except ValueError:
        raise CfonbError(field, f"invalid date {zone!r}, expected DDMMYY") from None
    try:
        return plausible_date(day)
    except ValueError as exc:
        raise CfonbError(field, str(exc)) from None


def _decimals(record: str) -> int:
    if not record[19].isdigit():
        raise CfonbError("decimals", f"invalid number of decimals {record[19]!r}")
    return int(record[19])


class _Movement(NamedTuple):
    line: int
    date: dt.date
    amount: Decimal
    currency: str
    reference: str
    label: str
    value_date: dt.date | None = None
    code: str = ""


class _Section:
    """One account between its 01 and 07 records."""

    def __init__(self, line: int, record: str) -> None:
        self.line = line
        self.account_number = record[21:32]
        self.account = f"{record[2:7]}{record[11:16]}{record[21:32]}".replace(" ", "")
        self.currency = parse_currency(record[16:19]) if record[16:19].strip() else "EUR"
        self.opening = cfonb_amount(record[90:104], _decimals(record))
        self.total = Decimal(0)
        self.opening_date = cfonb_date(record[34:40], "date") if record[34:40].strip() else None
        self.credits: list[_Movement] = []  # every movement, debits too
        self.payers: dict[int, list[str]] = {}
        self.texts: dict[int, list[str]] = {}
        self.last: int | None = None  # index in credits of the current movement


def _records(text: str) -> list[tuple[int, str]]:
    """(line, record) pairs; blank lines skipped, records glued on one line split apart."""
    records = []
    for line in physical_lines(text):
        body = line.text.rstrip(" ")
        if not body:
            continue
        if len(body) > RECORD and len(line.text) % RECORD == 0:
            records += [(line.number, line.text[i : i + RECORD]) for i in range(0, len(line.text), RECORD)]
        else:
            records.append((line.number, body.ljust(RECORD)))
    return records


def parse_cfonb120(file: str, data: bytes) -> BankFile:
    errors: list[LedgerError] = []
    receipts: list[Statement] = []
    section: _Section | None = None
    for line, record in _records(decode(data)):
        try:
            section = _read(record, line, section, receipts)
        except CfonbError as exc:
            errors.append(LedgerError(file, line, exc.field, str(exc)))
            section = None if record.startswith("07") else section  # report each account once
        except ValueError as exc:  # currency and the like
            errors.append(LedgerError(file, line, "", str(exc)))
    if section is not None:
        errors.append(LedgerError(file, section.line, "record", "account without its closing record 07"))
    return BankFile(file, detect.CFONB120, tuple(receipts), tuple(errors))


def _read(record: str, line: int, section: _Section | None, receipts: list[Statement]) -> _Section | None:
    """Apply one record; returns the open section after it."""
    if len(record) != RECORD:
        raise CfonbError("record", f"record of {len(record)} characters, expected {RECORD}")
    code = record[0:2]
    if code == "01":
        if section is not None:
            raise CfonbError("record", f"new account before the closing record 07 of line {section.line}")
        return _Section(line, record)
    if section is None:
        raise CfonbError("record", f"record {code!r} outside an account (no opening record 01)")
    if record[21:32] != section.account_number:
        raise CfonbError("account", f"account {record[21:32]!r} in the section of {section.account_number!r}")
    if code == "04":
        _movement(record, line, section)
        return section
    if code == "05":
        _complement(record, section)
        return section
    if code == "07":
        closing = cfonb_amount(record[90:104], _decimals(record))
        if section.opening + section.total != closing:
            raise CfonbError(
                "amount",
                f"new balance {closing} differs from old balance {section.opening} "
                f"+ movements {section.total}",
            )
        day = cfonb_date(record[34:40], "date") if record[34:40].strip() else None
        lines = tuple(_receipt(section, index, movement) for index, movement in enumerate(section.credits))
        opening = Balance(section.opening, section.opening_date, section.line)
        receipts.append(
            Statement(
                section.account,
                "",
                section.currency,
                opening,
                Balance(closing, day, line),
                lines,
                section.line,
            )
        )
        return None
    raise CfonbError("record", f"unknown record code {code!r}, expected 01, 04, 05 or 07")


def _movement(record: str, line: int, section: _Section) -> None:
    amount = cfonb_amount(record[90:104], _decimals(record))
    booked = cfonb_date(record[34:40], "date")
    value_date = cfonb_date(record[42:48], "value_date") if record[42:48].strip() else None
    section.total += amount
    currency = parse_currency(record[16:19]) if record[16:19].strip() else section.currency
    label = " ".join(record[48:79].split())
    code = record[32:34].strip()
    section.credits.append(
        _Movement(line, booked, amount, currency, record[104:120].strip(), label, value_date, code)
    )
    section.last = len(section.credits) - 1


def _complement(record: str, section: _Section) -> None:
    if section.last is None:
        raise CfonbError("record", "complement record 05 without a movement 04 before it")
    if section.last < 0:
        return
    qualifier, info = record[45:48], " ".join(record[48:118].split())
    if qualifier in _PAYER and info:
        section.payers.setdefault(section.last, []).append(info)
    elif qualifier in _REMITTANCE and info:
        section.texts.setdefault(section.last, []).append(info)


def _receipt(section: _Section, index: int, movement: _Movement) -> BankLine:
    return BankLine(
        account=section.account,
        booking_date=movement.date,
        value_date=movement.value_date,
        amount=movement.amount,
        currency=movement.currency,
        payer_name=" ".join(section.payers.get(index, [])),
        payer_iban="",
        remittance=" ".join([movement.label, *section.texts.get(index, [])]),
        creditor_reference="",
        end_to_end_id="",
        bank_reference=movement.reference,
        transaction_code=movement.code,
        kind=cfonb_kind(movement.amount, movement.code, movement.label),
        line=movement.line,
    )
