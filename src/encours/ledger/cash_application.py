"""Applying unapplied receipts to open invoices: the explicit step after a bank import.

Candidates are selected set-wise (open items at the date); the matching rules are the
domain's. The service flushes allocations and audit events; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

from encours.analytics.open_items import with_open_items
from encours.analytics.runner import AlchemyRunner
from encours.audit.service import record
from encours.domain.cash_application import OpenDocument, Proposal, Receipt, apply_receipts
from encours.domain.money import format_amount, from_cents, to_cents
from encours.ledger.models import AllocationRow
from encours.storage.base import sql_date

ORIGIN = "cash_app"

CANDIDATES_SQL = with_open_items(
    """
SELECT c.customer_id, e.key, e.id, e.reference, e.label, e.date, e.due_date, o.open_cents
FROM open_items o
JOIN entries e ON e.id = o.entry_id
JOIN customers c ON c.id = o.customer_pk
WHERE o.open_cents <> 0
  AND o.customer_pk IN (
      SELECT customer_pk FROM open_items WHERE open_cents < 0 AND kind = 'payment'
  )
  AND (o.open_cents > 0 OR o.kind = 'payment')
ORDER BY c.customer_id, e.date, e.key
"""
)


class CashApplication:
    """Proposes and stores allocations of unapplied receipts; only confident matches are made."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def propose(self, as_of: dt.date) -> tuple[list[Proposal], dict[str, str], dict[str, int]]:
        """Proposals for every customer with unapplied receipts; plus key → customer and key → id."""
        receipts: dict[str, list[Receipt]] = defaultdict(list)
        documents: dict[str, list[OpenDocument]] = defaultdict(list)
        owners: dict[str, str] = {}
        ids: dict[str, int] = {}
        rows = AlchemyRunner(self.session).rows(CANDIDATES_SQL, {"as_of": as_of})
        for customer_id, key, entry_id, reference, label, day, due, cents in rows:
            owners[key], ids[key] = customer_id, entry_id
            amount = from_cents(int(cents))
            if amount < 0:
                text = f"{reference} {label}"
                receipts[customer_id].append(Receipt(key, sql_date(day), -amount, text))
            else:
                documents[customer_id].append(
                    OpenDocument(key, reference, sql_date(day), sql_date(due), amount)
                )
        proposals = [
            proposal
            for customer_id in sorted(receipts)
            for proposal in apply_receipts(receipts[customer_id], documents[customer_id])
        ]
        return proposals, owners, ids

    def apply(self, as_of: dt.date, actor: str, dry_run: bool = False) -> list[tuple[str, Proposal]]:
        """Store the proposals as allocations (unless ``dry_run``); returns (customer, proposal)."""
        proposals, owners, ids = self.propose(as_of)
        if proposals and not dry_run:
            self.session.execute(
                insert(AllocationRow),
                [
                    {
                        "credit_entry_id": ids[p.receipt_key],
                        "debit_entry_id": ids[p.document_key],
                        "amount_cents": to_cents(p.amount),
                        "date": p.date,
                        "origin": ORIGIN,
                    }
                    for p in proposals
                ],
            )
            for proposal in proposals:
                record(
                    self.session, actor, "cash.applied",
                    customer_id=owners[proposal.receipt_key],
                    subject=proposal.document_key.split(":", 1)[-1],
                    details={"receipt": proposal.receipt_key, "amount": format_amount(proposal.amount),
                             "rule": proposal.rule.value},
                )  # fmt: skip
            self.session.flush()
        return [(owners[p.receipt_key], p) for p in proposals]


def describe(applied: Sequence[tuple[str, Proposal]]) -> list[list[str]]:
    return [
        [customer, p.receipt_key, p.document_key, format_amount(p.amount), p.date.isoformat(), p.rule.value]
        for customer, p in applied
    ]
