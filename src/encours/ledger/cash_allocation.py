"""A person's decision on a receipt: allocate it to an invoice, or undo what was allocated.

The receipt is a journal line (its id) or an unapplied ledger payment (its reference); the
invoice is named by its number as the user knows it. Allocating a journal line not matched yet
makes it its customer's payment (``bank:<id>``); undoing everything removes that payment and
leaves the line ``suggested`` — for a person, not for the next automatic run. Imported
lettering (FEC, payments files) is never undone here. Every change is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.bank.repository import BankRepository, StoredTransaction
from encours.domain.bank import TransactionKind, TransactionStatus, payment_key
from encours.domain.cash_matching import Rule, Status
from encours.domain.cash_reasons import Reason, encode, render_all
from encours.domain.errors import Conflict, InvalidInput, NotFound
from encours.domain.money import format_amount, from_cents, to_cents
from encours.domain.records import EntryKind
from encours.ledger.cash_application import ReceiptOutcome
from encours.ledger.cash_book import PAYABLE, transaction_receipt
from encours.ledger.cash_postings import (
    MANUAL,
    NewAllocation,
    NewEntry,
    add_allocations,
    add_entries,
    allocated_invoices,
    charge_entries,
    remove_allocations,
    remove_entries,
)
from encours.ledger.models import CustomerRow, EntryRow
from encours.ledger.queries import open_cents

EVER = dt.date(9999, 12, 31)  # open amounts counting every allocation, whatever its date


class _Receipt(NamedTuple):
    shown_id: str
    line: StoredTransaction | None
    entry: EntryRow | None  # the ledger payment (made from the line, or the ledger's own)


class _Invoice(NamedTuple):
    entry: EntryRow
    customer_id: str


class ManualAllocation:
    def __init__(self, session: Session, actor: str = "cli") -> None:
        self.session = session
        self.actor = actor
        self.bank = BankRepository(session)

    def _why(self, *codes: str) -> tuple[str, str]:
        """The line's reason: English text (CLI) and codes (any language), this person as actor."""
        reasons = [Reason.of(c, actor=self.actor) if c == "manual" else Reason.of(c) for c in codes]
        return render_all(reasons), encode(reasons)

    # -- finding ------------------------------------------------------------------------------
    def _receipt(self, receipt_id: str) -> _Receipt:
        text = receipt_id.strip()
        if text.isdigit():
            found = self.bank.by_ids([int(text)]).get(int(text))
            if found is not None:
                entry = self.session.get(EntryRow, found.payment_entry_id) if found.payment_entry_id else None
                return _Receipt(text, found, entry)
        reference, _, number = text.rpartition("#")
        if reference and number.isdigit():  # "REM CB#412": a reference several payments share
            query = select(EntryRow).where(
                EntryRow.kind == EntryKind.PAYMENT.value,
                EntryRow.id == int(number),
                EntryRow.reference == reference,
            )
        else:
            query = select(EntryRow).where(
                EntryRow.kind == EntryKind.PAYMENT.value, EntryRow.reference == text
            )
        payments = list(self.session.scalars(query.limit(2)))
        if len(payments) > 1:
            raise Conflict.because("several_receipts", receipt=text)
        if not payments:
            raise NotFound.because("no_receipt_text", receipt=text)
        return _Receipt(text, None, payments[0])

    def _invoice(self, invoice_id: str, customer_pk: int | None) -> _Invoice:
        query = (
            select(EntryRow, CustomerRow.customer_id)
            .join(CustomerRow, CustomerRow.id == EntryRow.customer_pk)
            .where(EntryRow.kind.in_(PAYABLE), EntryRow.reference == invoice_id.strip())
        )
        if customer_pk is not None:
            query = query.where(EntryRow.customer_pk == customer_pk)
        found = [(_Invoice(entry, customer)) for entry, customer in self.session.execute(query.limit(2))]
        if not found:
            raise NotFound.because(
                "no_invoice" if customer_pk is None else "no_invoice_of_customer", invoice=invoice_id
            )
        if len(found) > 1:
            raise Conflict.because("several_invoices", invoice=invoice_id)
        return found[0]

    # -- deciding -----------------------------------------------------------------------------
    def allocate(self, receipt_id: str, invoice_id: str, amount: Decimal | None = None) -> ReceiptOutcome:
        """Allocate the receipt to the invoice: ``amount``, else as much as both still allow."""
        receipt = self._receipt(receipt_id)
        line = receipt.line
        if line is not None and line.kind is not TransactionKind.CUSTOMER_CREDIT:
            raise Conflict.because("line_not_a_payment", line=line.id, kind=line.kind.value)
        if line is not None and line.status is TransactionStatus.DUPLICATE:
            raise Conflict.because("line_duplicate", line=line.id)
        invoice = self._invoice(invoice_id, receipt.entry.customer_pk if receipt.entry is not None else None)
        payment = receipt.entry
        if payment is None:
            assert line is not None
            payment = self._payment_for(line, invoice)
        open_ = open_cents(self.session, [payment.id, invoice.entry.id], EVER)
        room, owed = -open_.get(payment.id, 0), open_.get(invoice.entry.id, 0)
        cents = min(room, owed) if amount is None else to_cents(amount)
        if cents <= 0 or cents > room or cents > owed:
            raise InvalidInput.because(
                "cannot_allocate", field="amount", amount=from_cents(cents), room=from_cents(room),
                invoice=invoice_id, owed=from_cents(owed),
            )  # fmt: skip
        day = max(payment.date, invoice.entry.date)
        add_allocations(self.session, [NewAllocation(payment.key, invoice.entry.id, cents, day)],
                        {payment.key: payment.id}, MANUAL)  # fmt: skip
        record(
            self.session, self.actor, "cash.allocated", customer_id=invoice.customer_id,
            subject=invoice.entry.reference,
            details={"receipt": receipt.shown_id, "amount": format_amount(from_cents(cents)),
                     "rule": "manual"},
        )  # fmt: skip
        return self.state(receipt.shown_id)

    def _payment_for(self, line: StoredTransaction, invoice: _Invoice) -> EntryRow:
        """The journal line becomes the payment of the invoice's customer."""
        pk = invoice.entry.customer_pk
        label = " | ".join(p for p in (line.payer_name, line.remittance) if p)
        key = payment_key(line.id)
        ids = add_entries(self.session, [
            NewEntry(key, pk, EntryKind.PAYMENT, line.bank_reference or line.end_to_end_id, line.booking_date,
                     -to_cents(line.amount), line.currency, label)
        ])  # fmt: skip
        reason, data = self._why("manual")
        self.bank.link_payment(
            line.id, ids[key], customer_id=invoice.customer_id, reason=reason, reason_data=data
        )
        entry = self.session.get(EntryRow, ids[key])
        assert entry is not None
        return entry

    def unallocate(self, receipt_id: str, invoice_id: str | None = None) -> ReceiptOutcome:
        """Undo cash application's allocations of the receipt (to one invoice, else all)."""
        receipt = self._receipt(receipt_id)
        line, payment = receipt.line, receipt.entry
        if line is not None and line.status is TransactionStatus.DUPLICATE:
            self.bank.unlink_payment(line.id, *self._why("manual"))
            record(
                self.session,
                self.actor,
                "cash.unlinked",
                customer_id=line.customer_id,
                subject=receipt.shown_id,
            )
            return self.state(receipt.shown_id)
        if payment is None:
            raise Conflict.because("not_allocated", receipt=receipt.shown_id)
        charges = charge_entries(self.session, payment.key)
        debits = None if invoice_id is None else [self._invoice(invoice_id, payment.customer_pk).entry.id]
        removed = remove_allocations(self.session, [payment.id, *charges.values()], debits)
        made_here = line is not None and payment.key == payment_key(line.id)
        if not removed and not (made_here and invoice_id is None):
            raise Conflict.because("nothing_to_undo", receipt=receipt.shown_id)
        emptied = [i for i in charges.values() if not allocated_invoices(self.session, [i])]
        remove_entries(self.session, emptied)
        customer = self.session.get(CustomerRow, payment.customer_pk)
        whose = customer.customer_id if customer else None
        record(
            self.session, self.actor, "cash.unallocated", customer_id=whose,
            subject=invoice_id or receipt.shown_id, details={"receipt": receipt.shown_id},
        )  # fmt: skip
        if made_here and invoice_id is None and line is not None:
            self.bank.unlink_payment(line.id)
            remove_entries(self.session, [payment.id])
            reason, data = self._why("unallocated", "manual")
            self.bank.mark(line.id, TransactionStatus.SUGGESTED, reason=reason, reason_data=data)
        return self.state(receipt.shown_id)

    # -- reading ------------------------------------------------------------------------------
    def state(self, receipt_id: str) -> ReceiptOutcome:
        """The receipt as it stands: its status and what it is allocated to."""
        receipt = self._receipt(receipt_id)
        payment = receipt.entry
        credits = [payment.id, *charge_entries(self.session, payment.key).values()] if payment else []
        found = allocated_invoices(self.session, credits[:1])
        charges = sum((cents for _, _, _, cents in allocated_invoices(self.session, credits[1:])), 0)
        allocations = tuple((number, from_cents(cents)) for _, _, number, cents in found)
        customer = self.session.get(CustomerRow, payment.customer_pk) if payment else None
        if receipt.line is not None:
            shown = transaction_receipt(receipt.line)
            status = (
                Status(receipt.line.status.value)
                if receipt.line.status.value in set(Status)
                else Status.UNMATCHED
            )
            return ReceiptOutcome(
                receipt.shown_id, shown.date, shown.amount, shown.currency, shown.payer, shown.remittance,
                status, receipt.line.customer_id, Rule.MANUAL if allocations else None, (), allocations,
                from_cents(charges),
            )  # fmt: skip
        assert payment is not None
        status = Status.MATCHED if allocations else Status.UNMATCHED
        return ReceiptOutcome(
            receipt.shown_id, payment.date, from_cents(-payment.amount_cents), payment.currency, "",
            payment.label, status, customer.customer_id if customer else None,
            Rule.MANUAL if allocations else None, (), allocations, from_cents(charges),
        )  # fmt: skip
