"""What a person decides on the cash-application screen, beyond one allocation at a time.

Confirm a suggestion (its proposed invoices and charges, as cash application proposed them),
allocate one receipt to several invoices, book a shortfall within the bank-charge tolerance as
a charge, or say a credit is not a customer's receipt. Built on ``ManualAllocation``; every
decision is in the audit trail. Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.bank.repository import BankRepository, StoredTransaction
from encours.domain.bank import TransactionKind, TransactionStatus
from encours.domain.bank_charges import ChargeTolerance
from encours.domain.cash_reasons import Reason, decode, encode, render
from encours.domain.errors import Conflict, InvalidInput, NotFound
from encours.domain.money import format_amount, from_cents
from encours.domain.records import EntryKind
from encours.ledger.cash_allocation import EVER, ManualAllocation
from encours.ledger.cash_application import ReceiptOutcome
from encours.ledger.cash_postings import (
    CHARGE_LABEL,
    MANUAL,
    NewAllocation,
    NewEntry,
    add_allocations,
    add_entries,
)
from encours.ledger.cash_postings import charge_key as _charge_key
from encours.ledger.models import EntryRow
from encours.ledger.queries import open_cents

WAITING = (TransactionStatus.UNMATCHED, TransactionStatus.SUGGESTED)


class CashReview:
    def __init__(self, session: Session, actor: str, tolerance: ChargeTolerance | None = None) -> None:
        self.session = session
        self.actor = actor
        self.tolerance = tolerance or ChargeTolerance()
        self.bank = BankRepository(session)
        self.manual = ManualAllocation(session, actor)

    def receipt(self, receipt_id: int) -> StoredTransaction:
        line = self.bank.by_ids([receipt_id]).get(receipt_id)
        if line is None or line.kind is not TransactionKind.CUSTOMER_CREDIT:
            raise NotFound.because("no_customer_receipt", receipt=receipt_id)
        return line

    def confirm(self, receipt_id: int) -> ReceiptOutcome:
        """Apply what cash application proposed for a suggested receipt, charges included."""
        line = self.receipt(receipt_id)
        _, proposal = decode(line.reason_data)
        if line.status is not TransactionStatus.SUGGESTED or not proposal:
            raise Conflict.because("no_proposal", receipt=receipt_id)
        return self.allocate(receipt_id, [(p.invoice_number, p.amount) for p in proposal],
                             charges=[p.invoice_number for p in proposal if p.charge > 0])  # fmt: skip

    def allocate(
        self, receipt_id: int, chosen: Sequence[tuple[str, Decimal | None]], charges: Sequence[str] = ()
    ) -> ReceiptOutcome:
        """Allocate to each (invoice, amount; None: as much as both allow); for the invoices in
        ``charges``, book what is left owed as bank charges (refused beyond the tolerance)."""
        line = self.receipt(receipt_id)
        if line.status not in (*WAITING, TransactionStatus.MATCHED):  # matched: what is left of it
            raise Conflict.because("receipt_decided", receipt=receipt_id, status=line.status.value)
        if not chosen:
            raise InvalidInput.because("no_invoice_ticked", field="invoice_ids")
        shown = str(receipt_id)
        for number, amount in chosen:
            self.manual.allocate(shown, number, amount)
        for number in charges:
            self._charge(receipt_id, number)
        return self.manual.state(shown)

    def _charge(self, receipt_id: int, invoice_number: str) -> None:
        line = self.bank.get(receipt_id)
        payment = self.session.get(EntryRow, line.payment_entry_id) if line.payment_entry_id else None
        invoice = self.manual._invoice(invoice_number, payment.customer_pk if payment else None).entry
        if payment is None:
            raise Conflict.because("no_charge_to_book", receipt=receipt_id)
        left = open_cents(self.session, [invoice.id], EVER).get(invoice.id, 0)
        limit = self.tolerance.of(from_cents(invoice.amount_cents))
        if left <= 0 or from_cents(left) > limit:
            raise InvalidInput.because(
                "not_a_charge", field="charges", left=from_cents(left), invoice=invoice_number, limit=limit
            )
        key, day = _charge_key(payment.key, invoice.key), max(payment.date, invoice.date)
        ids = add_entries(self.session, [
            NewEntry(key, invoice.customer_pk, EntryKind.OTHER_CREDIT, invoice_number, day, -left,
                     invoice.currency, CHARGE_LABEL)
        ])  # fmt: skip
        add_allocations(self.session, [NewAllocation(key, invoice.id, left, day)], ids, MANUAL)
        record(
            self.session, self.actor, "cash.charge", customer_id=line.customer_id, subject=invoice_number,
            details={"receipt": str(receipt_id), "amount": format_amount(from_cents(left))},
        )  # fmt: skip

    def ignore(self, receipt_id: int, note: str) -> StoredTransaction:
        """Not a customer's receipt (a refund, a grant...): out of the list, with the person's note."""
        line = self.receipt(receipt_id)
        if line.status not in WAITING:
            raise Conflict.because("receipt_decided", receipt=receipt_id, status=line.status.value)
        if not note.strip():
            raise InvalidInput.because("say_what_credit", field="note")
        reason = Reason.of("not_customer", actor=self.actor, note=note.strip()[:300])
        marked = self.bank.mark(
            receipt_id, TransactionStatus.IGNORED, reason=render(reason), reason_data=encode([reason])
        )
        record(
            self.session, self.actor, "cash.ignored", subject=str(receipt_id), details={"note": note.strip()}
        )
        return marked
