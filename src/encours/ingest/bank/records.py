"""What a bank-statement importer reads: statements of an account and their transactions.

Immutable values, every line of the statement (debits too), each with the format's own
transaction code and its kind; the bank journal (encours.bank) stores them. None of them is
a receivable: a customer credit becomes a ledger payment only when it is matched.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from encours.domain.bank import TransactionKind
from encours.domain.errors import LedgerError


class BankLine(NamedTuple):
    """One booked transaction as the bank reported it; ``amount`` signed, credits positive."""

    account: str  # as the file names it; normalised by the journal (domain.bank.normal_account)
    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    currency: str
    payer_name: str  # the counterpart: debtor of a credit, creditor of a debit
    payer_iban: str
    remittance: str  # unstructured text
    creditor_reference: str  # structured reference (ISO 11649 RF.., CdtrRefInf)
    end_to_end_id: str
    bank_reference: str  # the bank's own reference (AcctSvcrRef, MT940 ``//``, FITID...)
    transaction_code: str  # e.g. camt ``PMNT/RCDT/ESCT``, OFX ``CREDIT``, CFONB ``05``, MT940 ``NTRF``
    kind: TransactionKind  # from the code; own transfers are recognised by the journal
    line: int


class Balance(NamedTuple):
    amount: Decimal  # signed
    date: dt.date | None
    line: int


class Statement(NamedTuple):
    """One statement of one account; balances when the file carries them (checked on import)."""

    account: str
    statement_id: str
    currency: str
    opening: Balance | None
    closing: Balance | None
    lines: tuple[BankLine, ...]
    line: int


class BankFile(NamedTuple):
    """A statement file read: its statements, or only its errors (all or nothing per file)."""

    file: str
    format: str
    statements: tuple[Statement, ...] = ()
    errors: tuple[LedgerError, ...] = ()
