"""Read functions on the bank journal for the CLI, the web and cash application.

The unidentified receipts are the suspense list of SPEC §10: customer credits no one has
matched yet. They are not receivables: the aged balance and the KPIs never read them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from encours.bank.repository import BankRepository, StoredTransaction


class UnidentifiedReceipt(NamedTuple):
    receipt_id: int  # the bank transaction's id
    date: dt.date  # booking date
    amount: Decimal  # positive
    currency: str
    payer: str
    payer_iban: str
    remittance: str  # unstructured text, then the structured reference when there is one
    account: str  # ours, that received it
    reason: str  # why it is not matched, when cash application said

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


def _receipt(line: StoredTransaction) -> UnidentifiedReceipt:
    texts = [line.remittance]
    if line.creditor_reference and line.creditor_reference not in line.remittance:
        texts.append(line.creditor_reference)
    return UnidentifiedReceipt(
        line.id, line.booking_date, line.amount, line.currency, line.payer_name, line.payer_iban,
        " ".join(t for t in texts if t), line.account, line.reason,
    )  # fmt: skip


def unidentified_receipts(session: Session, as_of: dt.date | None = None) -> list[UnidentifiedReceipt]:
    """Customer credits not matched, booked on or before ``as_of`` (all when None), oldest first."""
    return [_receipt(line) for line in BankRepository(session).unmatched_credits(as_of)]


def totals_by_currency(receipts: list[UnidentifiedReceipt]) -> dict[str, Decimal]:
    """What the suspense list holds, per currency (sorted by currency)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for receipt in receipts:
        totals[receipt.currency] += receipt.amount
    return dict(sorted(totals.items()))
