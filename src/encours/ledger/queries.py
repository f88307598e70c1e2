"""Read functions on the ledger for the screens, the API, the portal and the CLI.

Adapters ask here instead of querying the ledger's tables, so the rows stay the ledger's own;
answers are domain records and plain values. Open items and balances: encours.web.ledger_views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from encours.analytics.open_items import with_open_items
from encours.domain.money import from_cents
from encours.domain.records import Customer
from encours.ledger.models import CustomerRow, EntryRow, ImportBatchRow
from encours.ledger.repository import CHUNK, CUSTOMER_COLUMNS, chunks, values_to_customer
from encours.storage.fold_sql import contains_folded

DEMO_FORMAT = "demo"  # the format of the import batch ``encours demo`` writes


class StoredCustomer(NamedTuple):
    """A customer as the ledger files it: ``pk`` is the key its entries are stored under."""

    pk: int
    customer: Customer


class CustomerSearch(NamedTuple):
    total: int  # customers matching, over every page
    customers: list[StoredCustomer]


class Movement(NamedTuple):
    kind: str
    currency: str
    entries: int  # how many
    amount: Decimal  # their sum, signed (payments and credit notes are negative)


STATE_SQL = text(
    "SELECT (SELECT MAX(id) FROM entries), (SELECT MAX(id) FROM allocations),"
    " (SELECT COUNT(*) FROM import_batches), (SELECT MAX(id) FROM import_batches)"
)
_STORED = select(CustomerRow.id, *CUSTOMER_COLUMNS)


OPEN_CENTS_SQL = text(
    with_open_items("SELECT entry_id, open_cents FROM open_items", within="e.id IN :ids")
).bindparams(bindparam("ids", expanding=True))


def open_cents(session: Session, entry_ids: Sequence[int], as_of: dt.date) -> dict[int, int]:
    """Open amount (signed cents, the one rule of analytics.open_items) of each given entry
    dated by ``as_of``, settled ones included (0); entries dated after it are left out."""
    found: dict[int, int] = {}
    for part in chunks(sorted(set(entry_ids)), CHUNK // 3):  # the query names the ids three times
        for entry_id, cents in session.execute(OPEN_CENTS_SQL, {"ids": list(part), "as_of": as_of}):
            found[int(entry_id)] = int(cents)
    return found


def _stored(values: Sequence[Any]) -> StoredCustomer:
    return StoredCustomer(int(values[0]), values_to_customer(values[1:]))


def find_customer(session: Session, customer_id: str) -> StoredCustomer | None:
    found = session.execute(_STORED.where(CustomerRow.customer_id == customer_id)).first()
    return None if found is None else _stored(found)


def search_customers(session: Session, search: str = "", offset: int = 0, limit: int = 50) -> CustomerSearch:
    """Customers ordered by id whose id or name contains ``search``, whatever the case and accents."""
    query = _STORED
    if search.strip():
        query = query.where(
            or_(contains_folded(CustomerRow.customer_id, search), contains_folded(CustomerRow.name, search))
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.execute(query.order_by(CustomerRow.customer_id).offset(offset).limit(limit))
    return CustomerSearch(total, [_stored(values) for values in page])


def matching_customers(session: Session, search: str) -> set[str]:
    """Customer numbers whose number or name contains ``search``, whatever the case and accents
    (the worklist's search filter: one query, a set)."""
    query = select(CustomerRow.customer_id).where(
        or_(contains_folded(CustomerRow.customer_id, search), contains_folded(CustomerRow.name, search))
    )
    return set(session.connection().execute(query).scalars().all())


def has_customers(session: Session) -> bool:
    return session.scalar(select(CustomerRow.id).limit(1)) is not None


def currencies(session: Session, customer_ids: Sequence[str]) -> dict[str, str | None]:
    """customer_id → the customer's own currency (None when the file gave none)."""
    query = select(CustomerRow.customer_id, CustomerRow.currency)
    found = session.execute(query.where(CustomerRow.customer_id.in_(customer_ids)))
    return {customer_id: currency for customer_id, currency in found}


def movements(session: Session, start: dt.date, end: dt.date) -> list[Movement]:
    """Entries dated in [start, end], counted and summed by kind and currency."""
    rows = session.execute(
        # totals of the documents of a week, not open amounts
        select(EntryRow.kind, EntryRow.currency, func.count(), func.sum(EntryRow.amount_cents))
        .where(EntryRow.date >= start, EntryRow.date <= end)
        .group_by(EntryRow.kind, EntryRow.currency)
        .order_by(EntryRow.kind, EntryRow.currency)
    )
    return [
        Movement(kind, currency, int(count), from_cents(int(cents or 0)))
        for kind, currency, count, cents in rows
    ]


def state(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of the ledger (highest ids of entries, allocations and import batches):
    every import or cash application changes it, so figures cached under it are never stale."""
    return tuple(session.execute(STATE_SQL).one())


def made_by_demo(session: Session) -> bool:
    """Whether ``encours demo`` stored the ledger: the demo leaves an import batch of format ``demo``."""
    found = session.scalar(select(ImportBatchRow.id).where(ImportBatchRow.format == DEMO_FORMAT).limit(1))
    return found is not None
