"""Immutable ledger records: customers, ledger entries and the allocations between them.

Every document or payment is an *entry* with a signed amount (debit positive): invoices
are debits, payments and credit notes are credits. Allocations link a credit to a debit;
nothing is ever netted implicitly, so the open items at any date follow from these records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class SourceRef(NamedTuple):
    """Where a record came from, so every error and audit line can point back to it."""

    file: str
    line: int


NO_SOURCE = SourceRef("", 0)

# The French chart of accounts' class 411 (Clients): where a FEC names customers, unless
# ENCOURS_FEC_CUSTOMER_PREFIXES says otherwise (the default of that setting and of the parser).
CUSTOMER_ACCOUNT_PREFIXES = ("411",)


class EntryKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"
    OTHER_DEBIT = "other_debit"  # e.g. an opening balance or a refund: owed but not a sale
    OTHER_CREDIT = "other_credit"

    @property
    def is_sale(self) -> bool:
        """Sales (for DSO/CEI) are invoices minus credit notes."""
        return self in (EntryKind.INVOICE, EntryKind.CREDIT_NOTE)


class Customer(NamedTuple):
    customer_id: str
    name: str
    country: str | None = None
    currency: str | None = None
    payment_terms_days: int | None = None
    credit_limit: Decimal | None = None
    email: str | None = None
    language: str | None = None
    segment: str | None = None
    siren: str | None = None
    vat_number: str | None = None
    sales_rep: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    iban: str | None = None  # the accounts the customer pays from, compact, separated by ";"
    source: SourceRef = NO_SOURCE

    @property
    def has_postal_address(self) -> bool:
        """A letter can be sent: a street line and a town (a postal code where the country has one)."""
        return bool(self.address_line1 and self.city)


class Entry(NamedTuple):
    """One receivable movement. ``key`` is unique across the ledger and stable across re-imports."""

    key: str
    customer_id: str
    kind: EntryKind
    reference: str
    date: dt.date
    due_date: dt.date
    amount: Decimal  # signed: debit > 0 (owed to us), credit < 0
    currency: str = "EUR"
    disputed: bool = False
    label: str = ""
    source: SourceRef = NO_SOURCE

    @property
    def is_debit(self) -> bool:
        return self.amount > 0

    @property
    def aging_date(self) -> dt.date:
        """Debits age from their due date, unapplied credits from their own date (SPEC §4)."""
        return self.due_date if self.is_debit else self.date


class Allocation(NamedTuple):
    """Part of a credit (payment, credit note) settling part of a debit, from ``date`` on."""

    credit_key: str
    debit_key: str
    amount: Decimal  # positive
    date: dt.date


class OpenItem(NamedTuple):
    entry: Entry
    open_amount: Decimal  # signed like the entry
