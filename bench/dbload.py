"""Bulk-loading a generated ledger into SQLite (executemany) or PostgreSQL (COPY).

The benchmarks time the product's commands, not the loading: this is the fastest plain way
to get millions of rows into a migrated database.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Engine, create_engine, text

from encours.storage.database import get_engine
from ledger_data import BenchLedger

ENTRY_COLUMNS = (
    "id", "key", "customer_pk", "kind", "reference", "date", "due_date", "amount_cents",
    "currency", "disputed", "label",
)  # fmt: skip
ALLOCATION_COLUMNS = ("id", "credit_entry_id", "debit_entry_id", "amount_cents", "date", "origin")
CUSTOMER_COLUMNS = ("id", "customer_id", "name", "currency")


def storage_tables(ledger: BenchLedger) -> dict[str, pa.Table]:
    """The generated columns plus the text columns the ledger schema requires."""
    entries = ledger.entries
    ref = pc.binary_join_element_wise("E", pc.cast(entries["id"], pa.string()), "")
    entries = entries.append_column("key", pc.binary_join_element_wise("bench:", ref, ""))
    entries = entries.append_column("reference", ref)
    entries = entries.append_column("label", pa.array([""] * entries.num_rows))
    customers = ledger.customers.append_column(
        "currency", pa.array(["EUR"] * ledger.customers.num_rows, type=pa.string())
    )
    return {
        "customers": customers.select(list(CUSTOMER_COLUMNS)),
        "entries": entries.select(list(ENTRY_COLUMNS)),
        "allocations": ledger.allocations.select(list(ALLOCATION_COLUMNS)),
    }


def _sqlite_rows(table: pa.Table) -> Iterator[tuple[object, ...]]:
    columns = []
    for name in table.column_names:
        column = table[name]
        if pa.types.is_date(column.type):
            column = pc.cast(pc.cast(column, pa.timestamp("s")), pa.string())
            column = pc.utf8_slice_codeunits(column, 0, 10)
        columns.append(column.to_pylist())
    return zip(*columns, strict=True)


def load_sqlite(url: str, ledger: BenchLedger) -> None:
    engine = get_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, table in storage_tables(ledger).items():
            marks = ", ".join("?" * table.num_columns)
            sql = f"INSERT INTO {name} ({', '.join(table.column_names)}) VALUES ({marks})"
            cursor.executemany(sql, _sqlite_rows(table))
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def load_postgres(url: str, ledger: BenchLedger) -> None:
    engine = get_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, table in storage_tables(ledger).items():
            buffer = io.BytesIO()
            pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
            columns = ", ".join(table.column_names)
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:  # type: ignore[attr-defined]
                copy.write(buffer.getvalue())
            sequence = f"pg_get_serial_sequence('{name}', 'id')"
            cursor.execute(f"SELECT setval({sequence}, (SELECT MAX(id) FROM {name}))")
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def postgres_admin_url() -> str | None:
    """The server to create throwaway databases on: $ENCOURS_TEST_POSTGRES_URL or /work/pg_url."""
    url = os.environ.get("ENCOURS_TEST_POSTGRES_URL")
    if url:
        return url
    for path in ("/work/pg_url",):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                return handle.read().strip() or None
    return None


class ThrowawayPostgres:
    """A fresh database on the server, dropped on exit; None when no server answers."""

    def __init__(self, admin_url: str) -> None:
        self.admin: Engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.name = f"bench_{uuid.uuid4().hex[:10]}"
        self.url = admin_url.rsplit("/", 1)[0] + f"/{self.name}"

    def __enter__(self) -> str:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def __exit__(self, *exc: object) -> None:
        get_engine.cache_clear()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def postgres_available() -> str | None:
    admin = postgres_admin_url()
    if admin is None:
        return None
    try:
        engine = create_engine(admin)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return None
    return admin


@contextlib.contextmanager
def bench_database(backend: str, sqlite_file: Path) -> Iterator[str | None]:
    """A database URL for one bench backend: a SQLite file, or a throwaway PostgreSQL
    database (None when no server answers, so the bench skips PostgreSQL cleanly)."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    admin = postgres_available()
    if admin is None:
        yield None
        return
    with ThrowawayPostgres(admin) as url:
        yield url
