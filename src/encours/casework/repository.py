"""Named queries shared by the casework services: finding customers and invoices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Row, Select, SQLColumnExpression, bindparam, func, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from encours.analytics.open_items import with_open_items
from encours.casework.errors import CaseworkError, NotFound
from encours.casework.models import DisputeRow, PlanRow, PromiseRow
from encours.ledger.models import CustomerRow, EntryRow
from encours.ledger.queries import open_cents
from encours.storage.base import Base

RowT = TypeVar("RowT", bound=Base)
CaseT = TypeVar("CaseT", DisputeRow, PromiseRow, PlanRow)
ItemT = TypeVar("ItemT")


class CustomerRef(NamedTuple):
    pk: int
    customer_id: str
    name: str
    currency: str  # the customer's currency, EUR when unknown
    siren: str | None


class EntryRef(NamedTuple):
    id: int
    key: str
    customer_pk: int
    reference: str
    kind: str
    date: dt.date
    due_date: dt.date
    amount_cents: int
    currency: str
    disputed: bool


_CUSTOMER_REF = select(
    CustomerRow.id, CustomerRow.customer_id, CustomerRow.name, CustomerRow.currency, CustomerRow.siren
).where(CustomerRow.customer_id == bindparam("customer_id"))  # built once: every case action reads it


def customer(session: Session, customer_id: str) -> CustomerRef:
    row = session.execute(_CUSTOMER_REF, {"customer_id": customer_id}).first()
    if row is None:
        raise NotFound.because("unknown_customer", field="customer", customer=customer_id)
    return CustomerRef(row.id, row.customer_id, row.name, row.currency or "EUR", row.siren)


def get_row(session: Session, model: type[RowT], pk: int, field: str, noun: str | None = None) -> RowT:
    """The row of ``model`` with this primary key; NotFound names it as ``noun`` (default ``field``)."""
    row = session.get(model, pk)
    if row is None:
        raise NotFound.because("unknown_record", field=field, what=noun or field, number=pk)
    return row


def cases(
    session: Session, model: type[CaseT], customer_id: str | None, status: str | None
) -> Sequence[CaseT]:
    """Disputes, promises or plans in id order, of one customer and in one status when given."""
    query = select(model).order_by(model.id)
    if customer_id is not None:
        query = query.where(model.customer_pk == customer(session, customer_id).pk)
    if status is not None:
        query = query.where(model.status == str(status))
    return session.scalars(query).all()


class CasePage(NamedTuple, Generic[ItemT]):
    """One page of a board (cases, tasks, hand-overs) and how many there are over every page."""

    total: int
    rows: list[ItemT]
    names: Mapping[str, str] = MappingProxyType({})  # the rows' customers' names, when read with them


def with_customer(shape: Select[Any], customer_pk: InstrumentedAttribute[int]) -> Select[Any]:
    """``shape`` with the case's customer id and name (``customer_id``, ``customer_name``)."""
    return shape.add_columns(CustomerRow.customer_id, CustomerRow.name.label("customer_name")).join(
        CustomerRow, CustomerRow.id == customer_pk
    )


def page_rows(
    session: Session, shape: Select[Any], model: type[Base], where: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]], offset: int, limit: int,
) -> list[Row[Any]]:  # fmt: skip
    """The page ``offset, limit`` in ``order``, read as ``shape`` (columns of ``model`` and of
    what it joins). The page's ids are cut on ``model`` alone, where an index serves the order,
    so nothing is joined for the rows skipped; then ``shape`` is read for those ids only."""
    if limit <= 0:
        return []
    key = model.__table__.c.id
    ids = select(key).where(*where).order_by(*order).offset(max(0, offset)).limit(limit).subquery()
    return list(session.execute(shape.join(ids, ids.c.id == key).order_by(*order)))


def case_page(
    session: Session, shape: Select[Any], model: type[CaseT], open_status: str,
    customer_id: str | None = None, status: str | None = None, *, offset: int = 0, limit: int = 50,
) -> CasePage[Row[Any]]:  # fmt: skip
    """Cases as boards list them, paged in SQL: the open ones first (``open_status``), newest
    first, filtered before paging, each read as ``shape`` (see :func:`page_rows`). Both counts
    in one scan, then one or two index scans in id order (open cases, then the others) rather
    than sorting every case."""
    where: list[ColumnElement[bool]] = []
    if customer_id is not None:
        where.append(model.customer_pk == customer(session, customer_id).pk)
    if status is not None:
        where.append(model.status == str(status))

    def rows(extra: ColumnElement[bool] | None, skip: int, take: int) -> list[Row[Any]]:
        chosen = where if extra is None else [*where, extra]
        return page_rows(session, shape, model, chosen, [model.id.desc()], skip, take)

    offset, limit = max(0, offset), max(0, limit)
    if status is not None:
        total = int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
        return CasePage(total, rows(None, offset, limit))
    is_open = model.status == open_status
    counted = select(func.count(), func.count().filter(is_open)).select_from(model).where(*where)
    total, opened = (int(n or 0) for n in session.execute(counted).one())
    first = rows(is_open, offset, min(limit, opened - offset))
    rest = rows(model.status != open_status, max(0, offset - opened), limit - len(first))
    return CasePage(total, first + rest)


def customers_by_pk(session: Session, pks: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(pks))
    if not wanted:
        return {}
    query = select(CustomerRow.id, CustomerRow.customer_id).where(CustomerRow.id.in_(wanted))
    return dict(session.execute(query).all())


def _entry_ref(row: EntryRow) -> EntryRef:
    return EntryRef(
        row.id,
        row.key,
        row.customer_pk,
        row.reference,
        row.kind,
        row.date,
        row.due_date,
        row.amount_cents,
        row.currency,
        row.disputed,
    )


def entry(session: Session, owner: CustomerRef, invoice: str) -> EntryRef:
    """A document of ``owner`` named by its ledger key, ``doc:<id>`` key, or reference."""
    for candidate in (invoice, f"doc:{invoice}"):
        row = session.scalars(select(EntryRow).where(EntryRow.key == candidate)).first()
        if row is not None and row.customer_pk == owner.pk:
            return _entry_ref(row)
    rows = session.scalars(
        select(EntryRow)
        .where(EntryRow.customer_pk == owner.pk, EntryRow.reference == invoice)
        .order_by(EntryRow.id)
    ).all()
    debits = [row for row in rows if row.amount_cents > 0] or list(rows)
    if len(debits) == 1:
        return _entry_ref(debits[0])
    if len(debits) > 1:
        raise NotFound.because(
            "several_entries", field="invoice", invoice=invoice, customer=owner.customer_id
        )
    raise NotFound.because("unknown_invoice", field="invoice", invoice=invoice, customer=owner.customer_id)


def entries(session: Session, owner: CustomerRef, invoices: Sequence[str]) -> list[EntryRef]:
    """Resolve several invoice names; each must be a debit (an amount the customer owes)."""
    found: dict[int, EntryRef] = {}
    for name in invoices:
        ref = entry(session, owner, name)
        if ref.amount_cents <= 0:
            raise NotFound.because("not_an_invoice", field="invoice", invoice=name, kind=ref.kind)
        found[ref.id] = ref
    return list(found.values())


def invoice_currency(covered: Sequence[EntryRef], default: str | None = None) -> str:
    """The one currency of the invoices (``default`` when there are none); several is an error."""
    currencies = {ref.currency for ref in covered} or ({default} if default else set())
    if len(currencies) > 1:
        raise CaseworkError.because(
            "several_currencies", field="invoices", currencies=tuple(sorted(currencies))
        )
    return currencies.pop()


def covered_keys(
    session: Session,
    owner_column: InstrumentedAttribute[int],
    entry_column: InstrumentedAttribute[int],
    owner_ids: Iterable[int],
) -> defaultdict[int, list[str]]:
    """Ledger keys, in key order, of the invoices each promise or plan covers (none: empty).

    The two columns are those of the link table, e.g. ``PlanEntryRow.plan_id, .entry_id``.
    """
    keys: defaultdict[int, list[str]] = defaultdict(list)
    ids = sorted(set(owner_ids))
    if not ids:
        return keys
    query = (
        select(owner_column, EntryRow.key)
        .join(EntryRow, EntryRow.id == entry_column)
        .where(owner_column.in_(ids))
        .order_by(EntryRow.key)
    )
    for owner_id, key in session.execute(query):
        keys[owner_id].append(key)
    return keys


def entries_by_id(session: Session, ids: Iterable[int]) -> dict[int, EntryRef]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        row.id: _entry_ref(row) for row in session.scalars(select(EntryRow).where(EntryRow.id.in_(wanted)))
    }


def unapplied_cents(session: Session, payment_ids: Sequence[int], as_of: dt.date) -> dict[int, int]:
    """The part of each payment dated by ``as_of`` that no allocation by then applied: minus
    its open amount under the one rule (``ledger.queries.open_cents``)."""
    return {pk: -cents for pk, cents in open_cents(session, payment_ids, as_of).items()}


def payment_filter(
    first: SQLColumnExpression[dt.date], last: SQLColumnExpression[dt.date], as_of: dt.date
) -> list[ColumnElement[bool]]:
    """Payments (not credit notes) received in [first, last] and no later than ``as_of``."""
    return [
        EntryRow.kind == "payment",
        EntryRow.amount_cents < 0,
        EntryRow.date >= first,
        EntryRow.date <= last,
        EntryRow.date <= as_of,
    ]


CUSTOMER_OPEN_SQL = text(
    with_open_items(
        "SELECT entry_id, open_cents FROM open_items WHERE open_cents > 0 AND kind != 'payment'",
        within="e.customer_pk = :pk",
    )
)


def open_invoices(session: Session, owner: CustomerRef, as_of: dt.date) -> list[EntryRef]:
    """The customer's documents with something left to pay at ``as_of``, in due-date order.

    Invoices disputed in the accounts or in an open dispute are left out: they are not owed
    until the dispute is settled, so no promise covers them by default.
    """
    found: dict[int, int] = {
        int(entry_id): int(cents)
        for entry_id, cents in session.execute(CUSTOMER_OPEN_SQL, {"pk": owner.pk, "as_of": as_of})
    }
    disputed = set(
        session.scalars(
            select(DisputeRow.entry_id).where(DisputeRow.customer_pk == owner.pk, DisputeRow.status == "open")
        )
    )
    refs = entries_by_id(session, [int(i) for i in found])
    kept = [ref for ref in refs.values() if not ref.disputed and ref.id not in disputed]
    return sorted(kept, key=lambda ref: (ref.due_date, ref.key))
