"""Cash application: which open invoices an unapplied receipt most surely pays.

Only confident matches are proposed, in this order: invoice numbers named in the
remittance text, then one open invoice of exactly the amount, then the customer's oldest
open invoices adding up exactly to the amount. Anything else stays unapplied for a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from encours.domain.remittance import invoice_candidates


class MatchRule(StrEnum):
    REFERENCE = "reference"
    EXACT_AMOUNT = "exact_amount"
    OLDEST_FIRST = "oldest_first"


class OpenDocument(NamedTuple):
    key: str
    reference: str
    date: dt.date
    due_date: dt.date
    open_amount: Decimal  # positive


class Receipt(NamedTuple):
    key: str
    date: dt.date
    open_amount: Decimal  # positive: what is still unapplied
    text: str  # remittance information


class Proposal(NamedTuple):
    receipt_key: str
    document_key: str
    amount: Decimal
    date: dt.date
    rule: MatchRule


def _proposals(receipt: Receipt, chosen: Sequence[OpenDocument], rule: MatchRule) -> list[Proposal]:
    left = receipt.open_amount
    result = []
    for document in chosen:
        amount = min(left, document.open_amount)
        if amount <= 0:
            break
        result.append(Proposal(receipt.key, document.key, amount, max(receipt.date, document.date), rule))
        left -= amount
    return result


def match_receipt(receipt: Receipt, documents: Sequence[OpenDocument]) -> list[Proposal]:
    """Allocations for one receipt against its customer's open documents (may be empty)."""
    available = [d for d in documents if d.open_amount > 0 and d.date <= receipt.date]
    by_reference = {d.reference.upper(): d for d in documents}
    named = [by_reference[c] for c in invoice_candidates(receipt.text) if c in by_reference]
    if named:
        # a receipt naming invoices that are already settled is a question for a person
        still_open = [d for d in dict.fromkeys(named) if d in available]
        return _proposals(receipt, still_open, MatchRule.REFERENCE)
    exact = [d for d in available if d.open_amount == receipt.open_amount]
    if len(exact) == 1:
        return _proposals(receipt, exact, MatchRule.EXACT_AMOUNT)
    oldest = sorted(available, key=lambda d: (d.due_date, d.date, d.key))
    running = Decimal(0)
    for count, document in enumerate(oldest, start=1):
        running += document.open_amount
        if running == receipt.open_amount:
            return _proposals(receipt, oldest[:count], MatchRule.OLDEST_FIRST)
        if running > receipt.open_amount:
            break
    return []


def apply_receipts(receipts: Sequence[Receipt], documents: Sequence[OpenDocument]) -> list[Proposal]:
    """Match a customer's receipts in date order, each seeing what earlier ones left open."""
    remaining = {d.key: d for d in documents}
    proposals: list[Proposal] = []
    for receipt in sorted(receipts, key=lambda r: (r.date, r.key)):
        found = match_receipt(receipt, list(remaining.values()))
        for proposal in found:
            document = remaining[proposal.document_key]
            remaining[document.key] = document._replace(open_amount=document.open_amount - proposal.amount)
        proposals.extend(found)
    return proposals
