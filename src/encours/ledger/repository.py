"""Named queries on the ledger tables. Flushes only; the unit of work commits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, cast

import psycopg
from sqlalchemy import ColumnElement, Table, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from encours.domain.money import from_cents, to_cents
from encours.domain.records import Allocation, Customer, Entry, EntryKind
from encours.ledger.models import AllocationRow, CustomerRow, EntryRow

CHUNK = 900  # below SQLite's bound-parameter limit
INSERT_CHUNK = 20_000
CUSTOMER_CHUNK = 1_000  # customers per INSERT ... ON CONFLICT statement
KEYED_LOOKUP_MAX = 20_000  # up to this many keys, existing entries are found by index, not by scan
BULK_CACHE_KIB = -262_144  # SQLite page cache while inserting in bulk (negative: KiB)
CUSTOMERS = cast(Table, CustomerRow.__table__)
ENTRIES = cast(Table, EntryRow.__table__)

CUSTOMER_FIELDS = (
    "name", "country", "currency", "payment_terms_days", "email", "language", "segment",
    "siren", "vat_number", "sales_rep", "address_line1", "address_line2", "postal_code", "city", "phone",
    "iban",
)  # fmt: skip
ENTRY_FIELDS = (
    "customer_pk", "kind", "reference", "date", "due_date", "amount_cents", "currency",
    "disputed", "label",
)  # fmt: skip
ENTRY_ROW_COLUMNS = ("key", "batch_id", *ENTRY_FIELDS)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def customer_values(customer: Customer) -> dict[str, Any]:
    values = {field: getattr(customer, field) for field in CUSTOMER_FIELDS}
    limit = customer.credit_limit
    values["credit_limit_cents"] = None if limit is None else to_cents(limit)
    return values


CUSTOMER_COLUMNS = (
    CustomerRow.customer_id,
    *(getattr(CustomerRow, field) for field in CUSTOMER_FIELDS),
    CustomerRow.credit_limit_cents,
)


def row_to_customer(row: CustomerRow) -> Customer:
    """The domain record of a stored customer (its rules, e.g. ``has_postal_address``)."""
    limit = row.credit_limit_cents
    return Customer(
        customer_id=row.customer_id,
        credit_limit=None if limit is None else from_cents(limit),
        **{field: getattr(row, field) for field in CUSTOMER_FIELDS},
    )


def values_to_customer(values: Sequence[Any]) -> Customer:
    """A customer from a row of CUSTOMER_COLUMNS."""
    limit = values[-1]
    return Customer(
        customer_id=values[0],
        credit_limit=None if limit is None else from_cents(limit),
        **dict(zip(CUSTOMER_FIELDS, values[1:-1], strict=True)),
    )


class LedgerRepository:
    """Named queries and bulk writes on customers, entries and allocations (chunked under
    SQLite's bound-parameter limit); flushes only, the unit of work commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # customers -----------------------------------------------------------------------
    def customers_by_id(self, ids: Iterable[str] | None = None) -> dict[str, Customer]:
        # columns, not entities: a few hundred thousand customers load in a second
        query = select(*CUSTOMER_COLUMNS)
        if ids is None:
            return {row[0]: values_to_customer(row) for row in self.session.execute(query)}
        found: dict[str, Customer] = {}
        for part in chunks(sorted(set(ids))):
            for row in self.session.execute(query.where(CustomerRow.customer_id.in_(part))):
                found[row[0]] = values_to_customer(row)
        return found

    def known_customer_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for part in chunks(sorted(set(ids))):
            query = select(CustomerRow.customer_id).where(CustomerRow.customer_id.in_(part))
            found.update(self.session.execute(query).scalars())
        return found

    def customer_pks(self) -> dict[str, int]:
        return {cid: pk for cid, pk in self.session.execute(select(CustomerRow.customer_id, CustomerRow.id))}

    def upsert_customers(self, customers: Sequence[Customer]) -> tuple[int, int]:
        """Insert new customers, update changed ones; returns (created, updated).

        Safe beside a concurrent import creating the same customers: a row another transaction
        inserted first is kept (INSERT ... ON CONFLICT DO NOTHING), then updated like a known one.
        """
        existing = self.customers_by_id(c.customer_id for c in customers)
        new = [c for c in customers if c.customer_id not in existing]
        rows = [{"customer_id": c.customer_id, **customer_values(c)} for c in new]
        inserted = self._insert_new_customers(rows)
        raced = [c for c in new if c.customer_id not in inserted]
        if raced:
            existing |= self.customers_by_id(c.customer_id for c in raced)
        changed = [
            c for c in customers
            if c.customer_id in existing and customer_values(c) != customer_values(existing[c.customer_id])
        ]  # fmt: skip
        for customer in changed:
            self.session.execute(
                update(CustomerRow)
                .where(CustomerRow.customer_id == customer.customer_id)
                .values(**customer_values(customer))
            )
        return len(inserted), len(changed)

    def ensure_customers(self, ids: Iterable[str]) -> int:
        """Create customers known only from documents or payments, named by their id (an upsert:
        two imports creating the same customer at once both succeed, one row is kept)."""
        wanted = set(ids)
        missing = sorted(wanted - self.known_customer_ids(wanted))
        return len(self._insert_new_customers([{"customer_id": cid, "name": cid} for cid in missing]))

    def _insert_new_customers(self, rows: list[dict[str, Any]]) -> set[str]:
        """INSERT ... ON CONFLICT (customer_id) DO NOTHING; the ids this transaction inserted."""
        inserted: set[str] = set()
        dialect = self._dialect()
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for part in chunks(rows, CUSTOMER_CHUNK):
            if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the two supported databases
                self.session.execute(insert(CustomerRow), list(part))
                inserted.update(row["customer_id"] for row in part)
                continue
            # one statement per column set: the rows of a part share their keys
            statement = upsert(CustomerRow).on_conflict_do_nothing(index_elements=["customer_id"])
            result = self.session.execute(statement.returning(CustomerRow.customer_id), list(part))
            inserted.update(result.scalars())
        return inserted

    # entries -------------------------------------------------------------------------
    def entry_values(self, entry: Entry, customer_pk: int) -> dict[str, Any]:
        return {
            "customer_pk": customer_pk,
            "kind": entry.kind.value,
            "reference": entry.reference,
            "date": entry.date,
            "due_date": entry.due_date,
            "amount_cents": to_cents(entry.amount),
            "currency": entry.currency,
            "disputed": entry.disputed,
            "label": entry.label[:255],
        }

    def driver_values(self, entry: Entry, customer_pk: int, sqlite: bool) -> tuple[Any, ...]:
        """ENTRY_FIELDS as the database driver sends and returns them: what SQLAlchemy's types
        write (SQLite: dates as ISO text, booleans as 0/1), without its per-value processing,
        which costs more than the database itself on a million rows."""
        day, due, disputed = entry.date, entry.due_date, entry.disputed
        if sqlite:
            day, due, disputed = day.isoformat(), due.isoformat(), int(disputed)  # type: ignore[assignment]
        return (
            customer_pk, entry.kind.value, entry.reference, day, due, to_cents(entry.amount),
            entry.currency, disputed, entry.label[:255],
        )  # fmt: skip

    def existing_entries(self, keys: set[str]) -> dict[str, tuple[int, tuple[Any, ...]]]:
        """Stored id and driver values of the given keys.

        A few keys (a bank statement) are looked up through the key index; many (a bulk load)
        in one streamed pass over the table, cheaper than that many index probes. Both read
        untyped rows: the values are the driver's, as ``driver_values`` builds them.
        """
        found: dict[str, tuple[int, tuple[Any, ...]]] = {}
        if not keys:
            return found
        self.session.flush()
        connection = self.session.connection()
        columns = f"key, id, {', '.join(ENTRY_FIELDS)}"
        if len(keys) <= KEYED_LOOKUP_MAX:
            query = text(f"SELECT {columns} FROM entries WHERE key IN :keys").bindparams(
                bindparam("keys", expanding=True)
            )
            parts = chunks(sorted(keys))
            rows: Iterable[Any] = (row for part in parts for row in connection.execute(query, {"keys": part}))
        else:
            rows = connection.exec_driver_sql(
                f"SELECT {columns} FROM entries", execution_options={"yield_per": 50_000}
            )
        for row in rows:
            if row[0] in keys:
                found[row[0]] = (row[1], tuple(row[2:]))
        return found

    def stored_owners(self, existing: dict[str, tuple[int, tuple[Any, ...]]]) -> dict[str, str]:
        """The customer id each of ``existing_entries``' entries is stored under."""
        if not existing:
            return {}
        ids = {pk: cid for cid, pk in self.customer_pks().items()}
        return {key: ids[values[0]] for key, (_, values) in existing.items()}

    def upsert_entries(
        self,
        entries: Sequence[Entry],
        batch_id: int | None,
        existing: dict[str, tuple[int, tuple[Any, ...]]] | None = None,
    ) -> tuple[int, int, int]:
        """(created, updated, unchanged); a re-import of the same file changes nothing.

        ``existing`` is ``existing_entries`` of the entries' keys when the caller read it already.
        """
        pks = self.customer_pks()
        if existing is None:
            existing = self.existing_entries({e.key for e in entries})
        new_rows: list[tuple[Any, ...]] = []
        created = updated = 0
        sqlite = self._dialect() == "sqlite"
        with self._roomy_cache():
            for entry in entries:
                customer_pk = pks[entry.customer_id]
                values = self.driver_values(entry, customer_pk, sqlite)
                stored = existing.get(entry.key)
                if stored is None:
                    new_rows.append((entry.key, batch_id, *values))
                    if len(new_rows) == INSERT_CHUNK:  # insert as we go: memory stays flat
                        created += self._bulk_insert(ENTRIES, ENTRY_ROW_COLUMNS, new_rows)
                        new_rows = []
                elif stored[1] != values:
                    changes = self.entry_values(entry, customer_pk)
                    self.session.execute(update(EntryRow).where(EntryRow.id == stored[0]).values(**changes))
                    updated += 1
            created += self._bulk_insert(ENTRIES, ENTRY_ROW_COLUMNS, new_rows)
        return created, updated, len(entries) - created - updated

    # bulk writes ---------------------------------------------------------------------
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    @contextlib.contextmanager
    def _roomy_cache(self) -> Iterator[None]:
        """SQLite keeps 2 MB of pages by default: indexes of a million new rows thrash it."""
        if self._dialect() != "sqlite":
            yield
            return
        connection = self.session.connection()
        previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size = {BULK_CACHE_KIB}")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous or -2000)}")

    def _bulk_insert(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> int:
        """Insert rows of driver values: COPY on PostgreSQL, executemany elsewhere."""
        if not rows:
            return 0
        connection = self.session.connection()
        names = ", ".join(columns)
        if connection.dialect.name == "postgresql":
            driver = connection.connection.driver_connection
            statement = f"COPY {table.name} ({names}) FROM STDIN"
            try:
                with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                    for row in rows:
                        copy.write_row(row)
            except psycopg.errors.UniqueViolation as exc:  # a concurrent import stored these keys first
                raise IntegrityError(statement, None, exc) from exc
        elif connection.dialect.name == "sqlite":
            marks = ", ".join("?" * len(columns))
            connection.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        else:
            self.session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return len(rows)

    def entry_ids(self, keys: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in chunks(sorted(set(keys))):
            found.update(
                self.session.execute(select(EntryRow.key, EntryRow.id).where(EntryRow.key.in_(part))).all()
            )
        return found

    def _entries_where(
        self, column: InstrumentedAttribute[str], values: Iterable[str], *more: ColumnElement[bool]
    ) -> Iterator[Entry]:
        """Entries whose ``column`` is one of ``values`` (and ``more`` holds), in id order."""
        for part in chunks(sorted(set(values))):
            query = (
                select(EntryRow, CustomerRow.customer_id)
                .join(CustomerRow, CustomerRow.id == EntryRow.customer_pk)
                .where(column.in_(part), *more)
                .order_by(EntryRow.id)
            )
            for row, customer_id in self.session.execute(query):
                yield row_to_entry(row, customer_id)

    def entries_by_key(self, keys: Iterable[str]) -> dict[str, Entry]:
        return {entry.key: entry for entry in self._entries_where(EntryRow.key, keys)}

    def invoices_by_reference(self, numbers: Iterable[str]) -> dict[str, list[Entry]]:
        """Stored invoices whose number (reference) is one of ``numbers``; a number may name several."""
        found: dict[str, list[Entry]] = {}
        invoices = self._entries_where(EntryRow.reference, numbers, EntryRow.kind == EntryKind.INVOICE.value)
        for entry in invoices:
            found.setdefault(entry.reference, []).append(entry)
        return found

    # allocations ---------------------------------------------------------------------
    def settled_amounts(self, debit_ids: Iterable[int], excluding_credit_ids: set[int]) -> dict[int, Decimal]:
        """Amount already allocated to each debit, leaving out the given credits' shares."""
        # the allocation engine's input at import, all dates: not an open amount at a date
        totals: dict[int, int] = {}
        for part in chunks(sorted(set(debit_ids))):
            query = select(
                AllocationRow.debit_entry_id, AllocationRow.credit_entry_id, AllocationRow.amount_cents
            ).where(AllocationRow.debit_entry_id.in_(part))
            for debit_id, credit_id, cents in self.session.execute(query):
                if credit_id not in excluding_credit_ids:
                    totals[debit_id] = totals.get(debit_id, 0) + cents
        return {debit_id: from_cents(cents) for debit_id, cents in totals.items()}

    def allocations_from(self, credit_ids: Iterable[int], origin: str) -> set[tuple[int, int, int, Any]]:
        found: set[tuple[int, int, int, Any]] = set()
        for part in chunks(sorted(set(credit_ids))):
            query = select(
                AllocationRow.credit_entry_id,
                AllocationRow.debit_entry_id,
                AllocationRow.amount_cents,
                AllocationRow.date,
            ).where(AllocationRow.credit_entry_id.in_(part), AllocationRow.origin == origin)
            found.update(self.session.execute(query).all())
        return found

    def replace_allocations(
        self, credit_ids: Iterable[int], origin: str, rows: set[tuple[int, int, int, Any]]
    ) -> int:
        """Make the credits' allocations of ``origin`` exactly ``rows``; returns rows written."""
        credit_ids = set(credit_ids)
        if self.allocations_from(credit_ids, origin) == rows:
            return 0
        for part in chunks(sorted(credit_ids)):
            self.session.execute(
                delete(AllocationRow).where(
                    AllocationRow.credit_entry_id.in_(part), AllocationRow.origin == origin
                )
            )
        if rows:
            self.session.execute(
                insert(AllocationRow),
                [
                    {
                        "credit_entry_id": c,
                        "debit_entry_id": d,
                        "amount_cents": a,
                        "date": day,
                        "origin": origin,
                    }
                    for c, d, a, day in sorted(rows)
                ],
            )
        return len(rows)


def row_to_entry(row: EntryRow, customer_id: str) -> Entry:
    return Entry(
        key=row.key,
        customer_id=customer_id,
        kind=EntryKind(row.kind),
        reference=row.reference,
        date=row.date,
        due_date=row.due_date,
        amount=from_cents(row.amount_cents),
        currency=row.currency,
        disputed=row.disputed,
        label=row.label,
    )


def allocation_tuple(allocation: Allocation, ids: dict[str, int]) -> tuple[int, int, int, Any]:
    return (
        ids[allocation.credit_key],
        ids[allocation.debit_key],
        to_cents(allocation.amount),
        allocation.date,
    )
