"""Every engine gives the reference figures: SQLite, PostgreSQL, DuckDB and in-memory columns.

The reference is the pure domain rule (``domain.open_items`` + ``domain.aging``) and, for the
KPIs, the aggregates recomputed here item by item from the same rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from sqlalchemy import text
from tests.conftest import DEMO_UNTIL

from encours.analytics.aging import aged_balance
from encours.analytics.columnar import LedgerColumns
from encours.analytics.kpi import kpis
from encours.analytics.runner import AlchemyRunner, DuckDbRunner
from encours.demo.generator import DemoLedger
from encours.domain.aging import DEFAULT_BUCKETS, AgedBalance, Bucket, age_open_items, parse_bounds
from encours.domain.kpi import KpiInputs, Kpis, compute_kpis, dso_countback
from encours.domain.open_items import open_items
from encours.domain.records import Entry
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work

DATES = (
    dt.date(2024, 1, 1),  # before the first entry: nothing open
    dt.date(2025, 3, 14),
    dt.date(2025, 12, 31),
    DEMO_UNTIL - dt.timedelta(days=45),
    DEMO_UNTIL,
    DEMO_UNTIL + dt.timedelta(days=75),  # after the last entry: every due date has passed
)
BUCKET_SETS = (DEFAULT_BUCKETS, parse_bounds("0,15,45"), parse_bounds("10,20,30,60,120,365"))


@pytest.fixture(scope="module")
def ledger(demo_ledger: DemoLedger) -> DemoLedger:
    """The demo company with a fifth of its customers billed in USD: two currencies."""
    usd = {c.customer_id for c in demo_ledger.customers[::5]}
    entries = tuple(e._replace(currency="USD") if e.customer_id in usd else e for e in demo_ledger.entries)
    return demo_ledger._replace(entries=entries)


def store(url: str, ledger: DemoLedger) -> None:
    parsed = ParsedFile(
        file="demo", format="demo", customers=ledger.customers,
        entries=ledger.entries, allocations=ledger.allocations,
    )  # fmt: skip
    source = SourceFile(Path("demo"), hashlib.sha256(b"demo").digest(), "demo")
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(parsed, source)


def names(ledger: DemoLedger) -> dict[str, str]:
    return {c.customer_id: c.name for c in ledger.customers}


def by_currency(balances: list[AgedBalance]) -> dict[str, AgedBalance]:
    """Aged balances keyed by currency, leaving out empty ones (engines may omit them)."""
    return {b.currency: b for b in balances if b.rows}


def reference_aging(
    ledger: DemoLedger, as_of: dt.date, buckets: tuple[Bucket, ...]
) -> dict[str, AgedBalance]:
    items = open_items(ledger.entries, ledger.allocations, as_of)
    return by_currency(age_open_items(items, as_of, names(ledger), buckets))


def reference_kpis(ledger: DemoLedger, as_of: dt.date) -> list[Kpis]:
    """KPIs from aggregates summed item by item over the reference open items."""

    def totals(day: dt.date) -> dict[str, list[Decimal]]:
        found: dict[str, list[Decimal]] = {}
        for entry in ledger.entries:
            if entry.date <= day:
                found.setdefault(entry.currency, [Decimal(0)] * 5)
        for item in open_items(ledger.entries, ledger.allocations, day):
            sums, amount, aging = found[item.entry.currency], item.open_amount, item.entry.aging_date
            sums[0] += amount
            if amount > 0 and aging < day:
                sums[1] += amount
            if amount > 0:
                sums[2] += amount
            if aging >= day:
                sums[3] += amount
            if amount > 0 and (item.entry.disputed or aging < day - dt.timedelta(days=180)):
                sums[4] += amount
        return found

    sales: dict[str, list[Entry]] = defaultdict(list)
    for entry in ledger.entries:
        if entry.kind.is_sale and entry.date <= as_of:
            sales[entry.currency].append(entry)
    now, before = totals(as_of), totals(as_of - dt.timedelta(days=30))
    results = []
    for currency in sorted(set(now) | set(sales)) or ["EUR"]:
        sold = sales.get(currency, [])

        def between(start: dt.date, end: dt.date, sold: list[Entry] = sold) -> Decimal:
            return sum((e.amount for e in sold if start <= e.date <= end), Decimal(0))

        zero = [Decimal(0)] * 5
        outstanding, overdue, positive, current, doubtful = now.get(currency, zero)
        inputs = KpiInputs(
            as_of=as_of,
            currency=currency,
            outstanding=outstanding,
            outstanding_30_days_before=before.get(currency, zero)[0],
            overdue=overdue,
            positive_open=positive,
            current=current,
            sales_90_days=between(as_of - dt.timedelta(days=89), as_of),
            sales_30_days=between(as_of - dt.timedelta(days=29), as_of),
            doubtful=doubtful,
        )
        earliest = min((e.date for e in sold), default=None)
        results.append(compute_kpis(inputs, dso_countback(outstanding, as_of, between, earliest)))
    return results


def sql_figures(
    url: str, as_of: dt.date, buckets: tuple[Bucket, ...]
) -> tuple[list[AgedBalance], list[Kpis]]:
    with unit_of_work(get_engine(url)) as session:
        runner = AlchemyRunner(session)
        return aged_balance(runner, as_of, buckets), kpis(runner, as_of)


@pytest.fixture(scope="module")
def ledger_tables(ledger: DemoLedger, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pa.Table]:
    """The stored ledger tables as Arrow, read back from SQLite (ids as the database gave them)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('arrow') / 'ledger.db'}"
    store(url, ledger)
    tables = {}
    with get_engine(url).connect() as connection:
        for name in ("customers", "entries", "allocations"):
            result = connection.execute(text(f"SELECT * FROM {name}"))
            columns = list(result.keys())
            rows = [dict(zip(columns, row, strict=True)) for row in result]
            tables[name] = pa.Table.from_pylist(rows)
    for name in ("entries", "allocations"):  # SQLite hands dates back as text
        table = tables[name]
        column = pa.array([dt.date.fromisoformat(d) for d in table["date"].to_pylist()], pa.date32())
        tables[name] = table.set_column(table.column_names.index("date"), "date", column)
    entries = tables["entries"]
    due = pa.array([dt.date.fromisoformat(d) for d in entries["due_date"].to_pylist()], pa.date32())
    tables["entries"] = entries.set_column(entries.column_names.index("due_date"), "due_date", due)
    return tables


@pytest.fixture(scope="module")
def duck(ledger_tables: dict[str, pa.Table]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    for name, table in ledger_tables.items():
        connection.register(name, table)
    yield connection
    connection.close()


def test_demo_ledger_has_what_parity_needs(ledger: DemoLedger) -> None:
    """Partial payments, credit notes, unapplied credits, disputes and two currencies."""
    kinds = {e.kind.value for e in ledger.entries}
    assert {"invoice", "credit_note", "payment"} <= kinds
    assert {e.currency for e in ledger.entries} == {"EUR", "USD"}
    assert any(e.disputed for e in ledger.entries)
    allocated = {a.credit_key for a in ledger.allocations}
    assert any(not e.is_debit and e.key not in allocated for e in ledger.entries)
    items = open_items(ledger.entries, ledger.allocations, DEMO_UNTIL)
    assert any(i.entry.is_debit and i.open_amount != i.entry.amount for i in items)  # partly paid


def test_sql_aging_and_kpis_match_reference_on_both_databases(ledger: DemoLedger, db_url: str) -> None:
    store(db_url, ledger)
    for as_of in DATES:
        for buckets in BUCKET_SETS:
            balances, results = sql_figures(db_url, as_of, buckets)
            assert by_currency(balances) == reference_aging(ledger, as_of, buckets), (as_of, buckets)
        assert results == reference_kpis(ledger, as_of), as_of


def test_sqlite_and_postgres_give_identical_figures(
    ledger: DemoLedger, sqlite_url: str, postgres_url: str
) -> None:
    store(sqlite_url, ledger)
    store(postgres_url, ledger)
    for as_of in DATES:
        lite_aging, lite_kpis = sql_figures(sqlite_url, as_of, DEFAULT_BUCKETS)
        pg_aging, pg_kpis = sql_figures(postgres_url, as_of, DEFAULT_BUCKETS)
        assert [b.to_json() for b in lite_aging] == [b.to_json() for b in pg_aging]
        assert [k.to_json() for k in lite_kpis] == [k.to_json() for k in pg_kpis]
        assert lite_aging == pg_aging and lite_kpis == pg_kpis
    assert any(b.rows for b in lite_aging)


def test_duckdb_runs_the_same_sql_and_matches_reference(
    ledger: DemoLedger, duck: duckdb.DuckDBPyConnection
) -> None:
    runner = DuckDbRunner(duck)
    for as_of in DATES:
        for buckets in BUCKET_SETS:
            assert by_currency(aged_balance(runner, as_of, buckets)) == reference_aging(
                ledger, as_of, buckets
            )
        assert kpis(runner, as_of) == reference_kpis(ledger, as_of)


@pytest.mark.parametrize("threads", [1, 3])
def test_columnar_engine_matches_reference(
    ledger: DemoLedger, duck: duckdb.DuckDBPyConnection, threads: int
) -> None:
    columns = LedgerColumns.from_duckdb(duck, threads=threads)
    for as_of in DATES:
        for buckets in BUCKET_SETS:
            assert by_currency(columns.aged_balance(as_of, buckets)) == reference_aging(
                ledger, as_of, buckets
            )
        assert columns.kpis(as_of) == reference_kpis(ledger, as_of)


def test_columnar_integer_fallback_gives_the_same_sums(
    ledger: DemoLedger, duck: duckdb.DuckDBPyConnection
) -> None:
    """Beyond the float-exact bound the engine sums with integers: same figures."""
    floats = LedgerColumns.from_duckdb(duck)
    integers = LedgerColumns.from_duckdb(duck, float_sums=False)
    assert floats.floats_exact and not integers.floats_exact
    for as_of in DATES:
        assert integers.aged_balance(as_of) == floats.aged_balance(as_of)
        assert integers.kpis(as_of) == floats.kpis(as_of)


def test_empty_ledger_gives_one_empty_balance_and_zero_kpis(sqlite_url: str) -> None:
    balances, results = sql_figures(sqlite_url, DEMO_UNTIL, DEFAULT_BUCKETS)
    assert [(b.currency, b.rows) for b in balances] == [("EUR", ())]
    assert [(k.currency, k.outstanding, k.dso_countback) for k in results] == [("EUR", 0, 0)]


def test_columnar_engine_without_allocations_and_without_entries(ledger: DemoLedger) -> None:
    """Edge shapes: nothing allocated (every credit unapplied), and an empty ledger."""
    unallocated = ledger._replace(allocations=())
    order = {c.customer_id: i for i, c in enumerate(ledger.customers)}

    def pk(customer_id: str) -> int:  # seven customers, so several demo customers share one
        return 1 + order[customer_id] % 7

    entries = pa.Table.from_pylist(
        [
            {
                "id": i, "customer_pk": pk(e.customer_id), "kind": e.kind.value,
                "date": e.date, "due_date": e.due_date, "amount_cents": int(e.amount * 100),
                "currency": e.currency, "disputed": e.disputed,
            }
            for i, e in enumerate(unallocated.entries, start=1)
        ]
    )  # fmt: skip
    allocations = pa.table(
        {
            "credit_entry_id": pa.array([], pa.int64()), "debit_entry_id": pa.array([], pa.int64()),
            "amount_cents": pa.array([], pa.int64()), "date": pa.array([], pa.date32()),
        }
    )  # fmt: skip
    customers = pa.table({"id": list(range(1, 8)), "customer_id": [f"K{i}" for i in range(1, 8)]})
    customers = customers.append_column("name", customers["customer_id"])
    columns = LedgerColumns(entries, allocations, customers)
    regrouped = unallocated._replace(
        entries=tuple(e._replace(customer_id=f"K{pk(e.customer_id)}") for e in unallocated.entries),
        customers=(),
    )
    for as_of in DATES:
        expected = {
            currency: balance._replace(rows=tuple(r._replace(name=r.customer_id) for r in balance.rows))
            for currency, balance in reference_aging(regrouped, as_of, DEFAULT_BUCKETS).items()
        }
        assert by_currency(columns.aged_balance(as_of)) == expected
        assert columns.kpis(as_of) == reference_kpis(regrouped, as_of)
    empty = LedgerColumns(entries.slice(0, 0), allocations, customers)
    assert [(b.currency, b.rows) for b in empty.aged_balance(DEMO_UNTIL)] == [("EUR", ())]
    assert [(k.currency, k.outstanding) for k in empty.kpis(DEMO_UNTIL)] == [("EUR", 0)]
