"""Cash application run: match every unmatched bank credit (and unapplied ledger payment) by D.

Loads the book set-wise (``cash_book``), lets the domain decide (``domain.cash_matching``),
then writes what it decided in one pass: payments, charges and allocations (``cash_postings``),
the journal lines' status and reason (``bank.cash_decisions``), one audit event per allocation
and per duplicate or suggestion. Flushes only; the caller's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from encours.audit.service import AuditEvent, record_many
from encours.bank.cash_decisions import LineDecision, record_decisions
from encours.domain.bank import TransactionStatus, payment_key
from encours.domain.bank_charges import ChargeTolerance
from encours.domain.cash_matching import BankReceipt, Decision, Rule, Status
from encours.domain.cash_reasons import Proposed, Reason, encode, render_all
from encours.domain.money import format_amount, to_cents
from encours.domain.records import EntryKind
from encours.ledger.cash_book import Loaded, load, transaction_receipt
from encours.ledger.cash_postings import (
    CHARGE_LABEL,
    RULES,
    NewAllocation,
    NewEntry,
    add_allocations,
    add_entries,
    charge_key,
)
from encours.storage.base import utcnow

ZERO = Decimal(0)


class ReceiptOutcome(NamedTuple):
    """One receipt as SPEC §10 reports it: invoice numbers as the user knows them."""

    receipt_id: str
    date: dt.date
    amount: Decimal
    currency: str
    payer: str
    remittance: str
    status: Status
    customer_id: str | None
    rule: Rule | None
    reasons: tuple[Reason, ...]
    allocations: tuple[tuple[str, Decimal], ...]  # (invoice number, amount of the receipt)
    charges: Decimal = ZERO


class CashRun(NamedTuple):
    as_of: dt.date
    receipts: list[ReceiptOutcome]

    def summary(self) -> dict[str, Any]:
        counts = Counter(r.status.value for r in self.receipts)
        allocated = sum(
            (a for r in self.receipts if r.status is Status.MATCHED for _, a in r.allocations), ZERO
        )
        charges = sum((r.charges for r in self.receipts if r.status is Status.MATCHED), ZERO)
        return {
            "receipts": len(self.receipts),
            **{status.value: counts.get(status.value, 0) for status in Status},
            "invoices_allocated": sum(
                len(r.allocations) for r in self.receipts if r.status is Status.MATCHED
            ),
            "amount_allocated": format_amount(allocated),
            "bank_charges": format_amount(charges),
            "amount_received": format_amount(sum((r.amount for r in self.receipts), ZERO)),
        }


class _Source(NamedTuple):
    shown_id: str  # the receipt id the user sees: the journal line's id, or the payment's own reference
    receipt: BankReceipt
    line_id: int | None  # a journal line
    entry_id: int | None  # an unapplied ledger payment
    reference: str = ""  # the bank's reference of a journal line, for the payment it becomes


def _sources(loaded: Loaded) -> dict[str, _Source]:
    sources = {}
    for line in loaded.transactions:
        receipt = transaction_receipt(line)
        reference = line.bank_reference or line.end_to_end_id
        sources[receipt.receipt_id] = _Source(receipt.receipt_id, receipt, line.id, None, reference)
    for payment in loaded.ledger_payments:
        inner = f"ledger:{payment.entry_id}"
        sources[inner] = _Source(
            payment.receipt.receipt_id, payment.receipt._replace(receipt_id=inner), None, payment.entry_id
        )
    return sources


def outcome(source: _Source, decision: Decision) -> ReceiptOutcome:
    r = source.receipt
    return ReceiptOutcome(
        source.shown_id, r.date, r.amount, r.currency, r.payer, r.remittance, decision.status,
        decision.customer_id, decision.rule, decision.reasons,
        tuple((a.invoice_number, a.amount) for a in decision.allocations), decision.charges,
    )  # fmt: skip


class CashApplication:
    """Matches receipts to open invoices; only confident matches are written."""

    def __init__(
        self, session: Session, tolerance: ChargeTolerance | None = None, actor: str = "cli"
    ) -> None:
        self.session = session
        self.tolerance = tolerance or ChargeTolerance()
        self.actor = actor

    def apply(self, as_of: dt.date, dry_run: bool = False) -> CashRun:
        loaded = load(self.session, as_of, self.tolerance)
        sources = _sources(loaded)
        decisions = loaded.book.apply([s.receipt for s in sources.values()])
        if not dry_run:
            self._store(loaded, sources, decisions)
        # an unapplied ledger payment nothing new settles is no news: it is already its customer's
        shown = [
            outcome(sources[d.receipt_id], d)
            for d in decisions
            if sources[d.receipt_id].line_id is not None or d.status is not Status.UNMATCHED
        ]
        return CashRun(as_of, shown)

    # -- writing ------------------------------------------------------------------------------
    def _store(self, loaded: Loaded, sources: dict[str, _Source], decisions: Sequence[Decision]) -> None:
        book, ids = loaded.book, loaded.entry_ids
        entries: list[NewEntry] = []
        allocations: list[NewAllocation] = []
        lines: list[tuple[Decision, _Source]] = []
        for decision in decisions:
            source = sources[decision.receipt_id]
            if source.line_id is not None:
                lines.append((decision, source))
            if decision.status is not Status.MATCHED or decision.customer_id is None:
                continue
            receipt, pk = source.receipt, loaded.customer_pks[decision.customer_id]
            if source.line_id is not None:
                key = payment_key(source.line_id)
                label = " | ".join(p for p in (receipt.payer, receipt.remittance) if p)
                entries.append(
                    NewEntry(key, pk, EntryKind.PAYMENT, source.reference, receipt.date,
                             -to_cents(receipt.amount), receipt.currency, label)
                )  # fmt: skip
            else:
                key = f"ledger:{source.entry_id}"
                ids[key] = int(source.entry_id or 0)
            for a in decision.allocations:
                invoice = book.invoices[a.invoice_key]
                day = max(receipt.date, invoice.date)
                if a.amount > 0:
                    allocations.append(NewAllocation(key, ids[a.invoice_key], to_cents(a.amount), day))
                if a.charge > 0:
                    charge = charge_key(key, a.invoice_key)
                    entries.append(
                        NewEntry(charge, pk, EntryKind.OTHER_CREDIT, invoice.number, day, -to_cents(a.charge),
                                 receipt.currency, CHARGE_LABEL)
                    )  # fmt: skip
                    allocations.append(NewAllocation(charge, ids[a.invoice_key], to_cents(a.charge), day))
        ids.update(add_entries(self.session, entries))
        add_allocations(self.session, allocations, ids, RULES)
        record_decisions(self.session, [self._line_decision(d, s, ids) for d, s in lines])
        record_many(self.session, self._events(decisions, sources))

    @staticmethod
    def _line_decision(decision: Decision, source: _Source, ids: dict[str, int]) -> LineDecision:
        assert source.line_id is not None
        reason = render_all(decision.reasons)
        payment = None
        if decision.status is Status.MATCHED:
            payment = ids[payment_key(source.line_id)]
        elif decision.status is Status.DUPLICATE and decision.duplicate_of is not None:
            payment = ids[decision.duplicate_of.key]
        status = TransactionStatus(decision.status.value)
        proposal = (
            [Proposed(a.invoice_number, a.amount, a.charge) for a in decision.allocations]
            if decision.status is Status.SUGGESTED
            else []
        )
        detail = encode(decision.reasons, proposal)
        return LineDecision(source.line_id, status, decision.customer_id, reason, payment, detail)

    def _events(self, decisions: Sequence[Decision], sources: dict[str, _Source]) -> list[AuditEvent]:
        now, events = utcnow(), []
        for d in decisions:
            if d.status is Status.UNMATCHED:
                continue
            receipt = sources[d.receipt_id].shown_id
            common = {
                "receipt": receipt,
                "rule": d.rule.value if d.rule else None,
                "reason": render_all(d.reasons),
            }
            if d.status is Status.MATCHED:
                for a in d.allocations:
                    details = {**common, "amount": format_amount(a.amount), "charge": format_amount(a.charge)}
                    events.append(
                        AuditEvent(
                            now, self.actor, "cash.allocated", d.customer_id, a.invoice_number, details
                        )
                    )
                if not d.allocations:
                    events.append(
                        AuditEvent(now, self.actor, "cash.on_account", d.customer_id, receipt, common)
                    )
            else:
                action = f"cash.{d.status.value}"
                events.append(AuditEvent(now, self.actor, action, d.customer_id, receipt, common))
        return events
