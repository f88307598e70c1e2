"""What one cash-application run matches against, read set-wise from the ledger and the journal.

Open invoices come from the one open-items rule (``analytics.open_items``) in one query; the
customers, their accounts and the receipts already in the ledger in one query each, never one
per receipt. The result is the domain's ``CashBook``; the receipts are the journal's unmatched
customer credits and the ledger's unapplied payments (SPEC §2: cash application settles them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from encours.analytics.open_items import with_open_items
from encours.analytics.runner import AlchemyRunner
from encours.bank.cash_decisions import learned_accounts, linked_payments, undecided_credits
from encours.bank.repository import StoredTransaction
from encours.domain.bank import PAYMENT_KEY_PREFIX
from encours.domain.bank_charges import ChargeTolerance
from encours.domain.cash_matching import DUPLICATE_DAYS, BankReceipt, CashBook, LedgerReceipt, OpenInvoice
from encours.domain.money import from_cents
from encours.domain.payers import KnownCustomer
from encours.domain.records import EntryKind
from encours.ledger.models import CustomerRow, EntryRow
from encours.storage.base import sql_date

PAYABLE = (EntryKind.INVOICE.value, EntryKind.OTHER_DEBIT.value)

OPEN_INVOICES_SQL = with_open_items(
    f"""
SELECT c.customer_id, o.entry_id, o.key, o.reference, o.currency, o.date, o.due_date, o.open_cents
FROM open_items o JOIN customers c ON c.id = o.customer_pk
WHERE o.open_cents > 0 AND o.kind IN ({", ".join(f"'{kind}'" for kind in PAYABLE)})
""",
    columns=("key", "reference"),
)
UNAPPLIED_SQL = with_open_items(
    f"""
SELECT c.customer_id, o.entry_id, o.key, o.reference, o.label, o.currency, o.date, o.open_cents
FROM open_items o JOIN customers c ON c.id = o.customer_pk
WHERE o.open_cents < 0 AND o.kind = '{EntryKind.PAYMENT.value}'
ORDER BY o.date, o.entry_id
""",
    columns=("key", "reference", "label"),
)


class LedgerPayment(NamedTuple):
    """An unapplied payment of the ledger, as a receipt cash application may settle invoices with."""

    entry_id: int
    receipt: BankReceipt


class Loaded(NamedTuple):
    book: CashBook
    entry_ids: dict[str, int]  # ledger key → entries.id, for the invoices and ledger receipts
    customer_pks: dict[str, int]
    transactions: list[StoredTransaction]
    ledger_payments: list[LedgerPayment]


def transaction_receipt(line: StoredTransaction) -> BankReceipt:
    remittance = " ".join(part for part in (line.creditor_reference, line.remittance) if part)
    return BankReceipt(
        str(line.id),
        line.booking_date,
        line.amount,
        line.currency,
        line.payer_name,
        line.payer_iban,
        remittance,
    )


def customers(session: Session) -> tuple[list[KnownCustomer], dict[str, int]]:
    found, pks = [], {}
    query = select(CustomerRow.id, CustomerRow.customer_id, CustomerRow.name, CustomerRow.iban)
    for pk, customer_id, name, ibans in session.execute(query):
        found.append(KnownCustomer(customer_id, name, tuple(p for p in (ibans or "").split(";") if p)))
        pks[customer_id] = int(pk)
    return found, pks


def open_invoices(session: Session, as_of: dt.date) -> tuple[list[OpenInvoice], dict[str, int]]:
    invoices, ids = [], {}
    for customer_id, entry_id, key, reference, currency, day, due, cents in AlchemyRunner(session).rows(
        OPEN_INVOICES_SQL, {"as_of": as_of}
    ):
        amount = Decimal(int(cents)).scaleb(-2)  # exact cents, as from_cents makes them, faster
        invoices.append(
            OpenInvoice(key, reference, customer_id, currency, sql_date(day), sql_date(due), amount)
        )
        ids[key] = int(entry_id)
    return invoices, ids


def shared_references(session: Session) -> set[str]:
    """Payment references more than one payment of the ledger has ("REM CB"): not an id alone."""
    query = (
        select(EntryRow.reference)
        .where(EntryRow.kind == EntryKind.PAYMENT.value)
        .group_by(EntryRow.reference)
        .having(func.count() > 1)
    )
    return set(session.scalars(query))


def payment_receipt_id(key: str, reference: str, entry_id: int, shared: set[str]) -> str:
    """How a person names a ledger payment: the bank line it was made from, else its reference
    (``P1``), else its reference and entry number (``REM CB#412``) when several share it."""
    if key.startswith(PAYMENT_KEY_PREFIX) and key[len(PAYMENT_KEY_PREFIX) :].isdigit():
        return key[len(PAYMENT_KEY_PREFIX) :]
    if reference and reference not in shared and not reference.isdigit():
        return reference
    return f"{reference}#{entry_id}"


def unapplied_payments(session: Session, as_of: dt.date) -> list[LedgerPayment]:
    """Payments of the ledger not fully allocated (those made from bank lines included): new
    invoices may have arrived since, that they pay."""
    found = []
    shared = shared_references(session)
    for customer_id, entry_id, key, reference, label, currency, day, cents in AlchemyRunner(session).rows(
        UNAPPLIED_SQL, {"as_of": as_of}
    ):
        text = " ".join(part for part in (reference, label) if part)
        shown = payment_receipt_id(key, reference, int(entry_id), shared)
        receipt = BankReceipt(
            shown, sql_date(day), -from_cents(int(cents)), currency, "", "", text, customer_id
        )
        found.append(LedgerPayment(int(entry_id), receipt))
    return found


def ledger_receipts(
    session: Session, start: dt.date, end: dt.date
) -> tuple[list[LedgerReceipt], dict[str, int]]:
    """Payments in the ledger dated in [start, end] no bank line is linked to yet (not made from one)."""
    linked = linked_payments(session)
    query = (
        select(EntryRow.id, EntryRow.key, EntryRow.reference, CustomerRow.customer_id, EntryRow.currency,
               EntryRow.date, EntryRow.amount_cents)
        .join(CustomerRow, CustomerRow.id == EntryRow.customer_pk)
        .where(EntryRow.kind == EntryKind.PAYMENT.value, EntryRow.date >= start, EntryRow.date <= end,
               EntryRow.amount_cents < 0, ~EntryRow.key.startswith(PAYMENT_KEY_PREFIX, autoescape=True))
    )  # fmt: skip
    found, ids = [], {}
    for entry_id, key, reference, customer_id, currency, day, cents in session.execute(query):
        if int(entry_id) in linked:
            continue
        found.append(
            LedgerReceipt(key, reference or key, customer_id, currency, sql_date(day), -from_cents(cents))
        )
        ids[key] = int(entry_id)
    return found, ids


def load(session: Session, as_of: dt.date, tolerance: ChargeTolerance, with_ledger: bool = True) -> Loaded:
    """The book for a run at ``as_of``: every open invoice, customer and candidate duplicate."""
    lines = undecided_credits(session, as_of)
    payments = unapplied_payments(session, as_of) if with_ledger else []
    known, pks = customers(session)
    invoices, ids = open_invoices(session, as_of)
    duplicates: Sequence[LedgerReceipt] = []
    if lines:
        window = dt.timedelta(days=DUPLICATE_DAYS)
        first, last = min(t.booking_date for t in lines), max(t.booking_date for t in lines)
        duplicates, receipt_ids = ledger_receipts(session, first - window, last + window)
        ids.update(receipt_ids)
    book = CashBook(invoices, known, duplicates, learned_accounts(session), tolerance)
    return Loaded(book, ids, pks, lines, payments)
