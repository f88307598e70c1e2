"""What a letter states about each invoice: amount, dates, open amount, and the payments that reduced it.

The open amount is the one rule's (``ledger.queries.open_cents``); the dated reductions (the
allocations on the invoice's side) are what L441-10 interest runs on between payments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.domain.money import from_cents
from encours.domain.penalties import Reduction
from encours.ledger.models import AllocationRow, EntryRow
from encours.ledger.queries import open_cents
from encours.ledger.repository import chunks


class InvoiceFacts(NamedTuple):
    key: str
    reference: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    currency: str
    open_amount: Decimal  # at the letter's date
    reductions: tuple[Reduction, ...]


class InvoiceFactsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def invoices_with_reductions(self, entry_keys: Sequence[str], as_of: dt.date) -> list[InvoiceFacts]:
        """Invoice facts for letters: amount, dates, open amount and allocations at ``as_of``."""
        rows: list[EntryRow] = []
        for part in chunks(list(entry_keys)):
            rows.extend(self.session.execute(select(EntryRow).where(EntryRow.key.in_(part))).scalars())
        reductions: dict[int, list[Reduction]] = defaultdict(list)
        ids = [row.id for row in rows]
        for part in chunks(ids):
            query = select(
                AllocationRow.debit_entry_id, AllocationRow.date, AllocationRow.amount_cents
            ).where(AllocationRow.debit_entry_id.in_(part), AllocationRow.date <= as_of)
            for debit_id, day, cents in self.session.execute(query):
                reductions[debit_id].append(Reduction(day, from_cents(cents)))
        open_at = open_cents(self.session, ids, as_of)
        order = {key: index for index, key in enumerate(entry_keys)}
        facts = [
            InvoiceFacts(
                row.key,
                row.reference,
                row.date,
                row.due_date,
                from_cents(row.amount_cents),
                row.currency,
                from_cents(open_at.get(row.id, 0)),
                tuple(sorted(reductions[row.id])),
            )
            for row in rows
        ]
        return sorted(facts, key=lambda f: order[f.key])
