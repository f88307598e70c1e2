"""What a cash-application decision writes in the ledger: payments, bank charges, allocations.

A matched bank credit becomes a payment entry of its customer (key ``bank:<line id>``); a
shortfall within the bank-charge tolerance becomes a charge entry (kind ``other_credit``)
settling the rest of its invoice; each part is an allocation of origin ``cash_app`` (rules)
or ``manual`` (a person). Set-wise: one executemany per kind of row. Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from encours.domain.records import EntryKind
from encours.ledger.models import AllocationRow, EntryRow
from encours.ledger.repository import CHUNK, ENTRIES, chunks

ALLOCATIONS = cast(Table, AllocationRow.__table__)

RULES = "cash_app"
MANUAL = "manual"
CASH_ORIGINS = (RULES, MANUAL)  # what cash application may undo; imported lettering stays
CHARGE_PREFIX = "charge:"
CHARGE_LABEL = "Frais bancaires / bank charges"


class NewEntry(NamedTuple):
    key: str
    customer_pk: int
    kind: EntryKind
    reference: str
    date: dt.date
    cents: int  # signed: credits negative
    currency: str
    label: str


class NewAllocation(NamedTuple):
    credit_key: str
    debit_id: int
    cents: int
    date: dt.date


def charge_key(receipt_key: str, invoice_key: str) -> str:
    """The charge entry of one receipt on one invoice (stable, so a run twice is refused, not doubled)."""
    return f"{CHARGE_PREFIX}{receipt_key}:{hashlib.sha256(invoice_key.encode()).hexdigest()[:16]}"


def add_entries(session: Session, entries: Sequence[NewEntry]) -> dict[str, int]:
    """Insert the entries; returns key → id."""
    if not entries:
        return {}
    rows = [
        {
            "key": e.key[:255], "customer_pk": e.customer_pk, "kind": e.kind.value,
            "reference": e.reference[:255], "date": e.date, "due_date": e.date,
            "amount_cents": e.cents, "currency": e.currency,
            "disputed": False, "label": e.label[:255], "batch_id": None,
        }
        for e in entries
    ]  # fmt: skip
    for part in chunks(rows, 5_000):
        session.execute(insert(ENTRIES), list(part))
    return entry_ids(session, [e.key[:255] for e in entries])


def entry_ids(session: Session, keys: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunks(sorted(set(keys))):
        found.update(
            {
                k: int(i)
                for k, i in session.execute(select(EntryRow.key, EntryRow.id).where(EntryRow.key.in_(part)))
            }
        )
    return found


def add_allocations(
    session: Session, allocations: Sequence[NewAllocation], ids: dict[str, int], origin: str
) -> None:
    """Allocations of ``origin``; a pair that already has one of that origin is increased."""
    wanted: dict[tuple[int, int], tuple[int, dt.date]] = {}
    for a in allocations:
        pair = (ids[a.credit_key], a.debit_id)
        cents, day = wanted.get(pair, (0, a.date))
        wanted[pair] = (cents + a.cents, max(day, a.date))
    credits = sorted({credit for credit, _ in wanted})
    existing: dict[tuple[int, int], int] = {}
    for part in chunks(credits):
        query = select(AllocationRow.credit_entry_id, AllocationRow.debit_entry_id, AllocationRow.id).where(
            AllocationRow.credit_entry_id.in_(part), AllocationRow.origin == origin
        )
        existing.update({(c, d): i for c, d, i in session.execute(query)})
    for pair, allocation_id in existing.items():
        if pair in wanted:
            cents, _ = wanted.pop(pair)
            session.execute(
                update(AllocationRow)
                .where(AllocationRow.id == allocation_id)
                .values(amount_cents=AllocationRow.amount_cents + cents)
            )
    rows = [
        {"credit_entry_id": c, "debit_entry_id": d, "amount_cents": cents, "date": day, "origin": origin}
        for (c, d), (cents, day) in wanted.items()
    ]
    for part in chunks(rows, 5_000):
        session.execute(insert(ALLOCATIONS), list(part))
    session.flush()


def charge_entries(session: Session, receipt_key: str) -> dict[str, int]:
    """The charge entries booked for one receipt (key → id)."""
    prefix = f"{CHARGE_PREFIX}{receipt_key}:"
    query = select(EntryRow.key, EntryRow.id).where(EntryRow.key.startswith(prefix, autoescape=True))
    return {k: int(i) for k, i in session.execute(query)}


def remove_allocations(session: Session, credit_ids: Sequence[int], debit_ids: Sequence[int] | None) -> int:
    """Delete cash application's allocations of the credits (to ``debit_ids``, else all); how many."""
    if not credit_ids:
        return 0
    query = delete(AllocationRow).where(
        AllocationRow.credit_entry_id.in_(list(credit_ids)), AllocationRow.origin.in_(CASH_ORIGINS)
    )
    if debit_ids is not None:
        query = query.where(AllocationRow.debit_entry_id.in_(list(debit_ids)))
    result = session.execute(query)
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def remove_entries(session: Session, entry_ids_: Sequence[int]) -> None:
    """Delete entries cash application made (payments, charges) with every allocation touching them."""
    for part in chunks(list(entry_ids_), CHUNK // 2):
        session.execute(
            delete(AllocationRow).where(
                AllocationRow.credit_entry_id.in_(part) | AllocationRow.debit_entry_id.in_(part)
            )
        )
        session.execute(delete(EntryRow).where(EntryRow.id.in_(part)))
    session.flush()


def allocated_invoices(session: Session, credit_ids: Sequence[int]) -> list[tuple[int, str, str, int]]:
    """(credit id, invoice key, invoice number, cents) of every allocation of the credits, by invoice."""
    if not credit_ids:
        return []
    query = (
        select(AllocationRow.credit_entry_id, EntryRow.key, EntryRow.reference, AllocationRow.amount_cents)
        .join(EntryRow, EntryRow.id == AllocationRow.debit_entry_id)
        .where(AllocationRow.credit_entry_id.in_(list(credit_ids)))
        .order_by(EntryRow.due_date, EntryRow.date, EntryRow.key)
    )
    return [(int(c), k, r, int(cents)) for c, k, r, cents in session.execute(query)]
