"""Aged balance and KPIs of a large ledger against a bare DuckDB GROUP BY over the same data.

The ledger (Arrow tables named like the ledger tables) is loaded into an in-memory DuckDB.
The floor is a bare ``SELECT customer_pk, SUM(amount_cents) ... GROUP BY customer_pk`` on
those tables: each customer's balance at the date, without buckets. Encours computes the
aged balance with its columnar engine (prepared once from the same tables, like an index)
and with the portable SQL run by DuckDB. Timings interleave baseline and project, best of
``--repeat``; the ratio is project / baseline measured in the same run.

    uv run python bench/bench_analytics.py --items 10000000 --customers 200000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from encours.analytics.aging import aged_balance
from encours.analytics.columnar import LedgerColumns
from encours.analytics.kpi import kpis
from encours.analytics.runner import DuckDbRunner
from encours.domain.money import to_cents
from ledger_data import BenchLedger, generate

BARE_AGING = "SELECT customer_pk, SUM(amount_cents) FROM entries WHERE date <= ? GROUP BY customer_pk"
BARE_KPI = "SELECT currency, SUM(amount_cents) FROM entries WHERE date <= ? GROUP BY currency"


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def duel(baseline: Callable[[], Any], project: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Interleaved runs; best and median of each, and the ratio of the bests."""
    base_times, project_times = [], []
    base_result = project_result = None
    for _ in range(repeat):
        seconds, base_result = timed(baseline)
        base_times.append(seconds)
        seconds, project_result = timed(project)
        project_times.append(seconds)
    return {
        "baseline": min(base_times),
        "project": min(project_times),
        "baseline_median": statistics.median(base_times),
        "project_median": statistics.median(project_times),
        "ratio": min(project_times) / min(base_times),
        "baseline_result": base_result,
        "project_result": project_result,
    }


def load_duckdb(ledger: BenchLedger, threads: int) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(f"SET threads = {threads}")
    for name, table in ledger.tables().items():
        connection.register(f"arrow_{name}", table)
        connection.execute(f"CREATE TABLE {name} AS SELECT * FROM arrow_{name}")
        connection.unregister(f"arrow_{name}")
    return connection


def run(
    items: int, customers: int, repeat: int = 5, seed: int = 2026, threads: int = 2, sql: bool = True
) -> dict[str, Any]:
    report: dict[str, Any] = {"items": items, "customers": customers}
    report["generate"], ledger = timed(lambda: generate(items, customers, seed))
    report["load"], connection = timed(lambda: load_duckdb(ledger, threads))
    report["prepare"], columns = timed(lambda: LedgerColumns.from_duckdb(connection, threads))
    as_of = ledger.as_of
    report["entries"] = ledger.entries.num_rows
    report["allocations"] = ledger.allocations.num_rows
    report["open_items"] = int((columns.open_cents(as_of) != 0).sum())

    def bare_aging() -> Any:
        return connection.execute(BARE_AGING, [as_of]).fetchnumpy()

    aging = duel(bare_aging, lambda: columns.aging_cents(as_of), repeat)
    report["aging"] = aging
    bare = aging["baseline_result"]
    table = ledger.customers
    ids = dict(zip(table["id"].to_pylist(), table["customer_id"].to_pylist(), strict=True))
    sums = zip(bare["customer_pk"], bare["sum(amount_cents)"], strict=True)
    expected = {ids[int(pk)]: int(cents) for pk, cents in sums}
    found: dict[str, int] = {}
    for cid, cents in zip(aging["project_result"].customer_ids, aging["project_result"].cents, strict=True):
        found[cid] = found.get(cid, 0) + int(cents.sum())
    report["aging_totals_equal_baseline"] = found == {k: v for k, v in expected.items() if v}
    report["aged_balance_rows"], balances = timed(lambda: columns.aged_balance(as_of))
    report["customers_in_balance"] = sum(len(b.rows) for b in balances)

    kpi = duel(lambda: connection.execute(BARE_KPI, [as_of]).fetchall(), lambda: columns.kpis(as_of), repeat)
    report["kpi"] = kpi
    outstanding = {k.currency: to_cents(k.outstanding) for k in kpi["project_result"]}
    report["kpi_outstanding_equal_baseline"] = outstanding == {c: int(s) for c, s in kpi["baseline_result"]}
    if sql:
        runner = DuckDbRunner(connection)
        report["sql_aging"], sql_balances = timed(lambda: aged_balance(runner, as_of))
        report["sql_kpi"], sql_kpis = timed(lambda: kpis(runner, as_of))
        report["sql_equals_columnar"] = sql_balances == balances and sql_kpis == kpi["project_result"]
    connection.close()
    return report


def print_duel(duel: dict[str, Any], label: str) -> None:
    for name, key in (("baseline bare DuckDB GROUP BY", "baseline"), (label, "project")):
        print(f"  {name:<34}best {duel[key]:.3f} s  median {duel[key + '_median']:.3f} s")


def print_report(report: dict[str, Any]) -> None:
    aging, kpi = report["aging"], report["kpi"]
    print(
        f"ledger: {report['open_items']:,} open items, {report['entries']:,} entries, "
        f"{report['allocations']:,} allocations, {report['customers']:,} customers "
        f"(generated {report['generate']:.1f} s, DuckDB load {report['load']:.1f} s, "
        f"columns prepared {report['prepare']:.1f} s)"
    )
    print("aged balance (default buckets, per customer and currency):")
    print_duel(aging, "encours columnar aging")
    print(f"  ratio (best/best)                 {aging['ratio']:.2f}x   target <= 1.5x")
    print(f"  per-customer totals equal baseline: {report['aging_totals_equal_baseline']}")
    print(f"  with Decimal rows (aged_balance)  {report['aged_balance_rows']:.3f} s, "
          f"{report['customers_in_balance']:,} customer rows")  # fmt: skip
    print("KPIs (outstanding, overdue, DSO countback/simple/best, ADD, CEI, doubtful):")
    print_duel(kpi, "encours columnar KPIs")
    print(f"  ratio (best/best)                 {kpi['ratio']:.2f}x")
    print(f"  outstanding equals baseline: {report['kpi_outstanding_equal_baseline']}")
    if "sql_aging" in report:
        print("portable SQL run by DuckDB (same text as SQLite/PostgreSQL):")
        print(f"  aged balance {report['sql_aging']:.3f} s ({report['sql_aging'] / aging['baseline']:.1f}x), "
              f"KPIs {report['sql_kpi']:.3f} s ({report['sql_kpi'] / kpi['baseline']:.1f}x); "
              f"equal to columnar: {report['sql_equals_columnar']}")  # fmt: skip


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--items", type=int, default=10_000_000, help="open items wanted")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-sql", action="store_true", help="skip the portable SQL on DuckDB")
    args = parser.parse_args()
    report = run(args.items, args.customers, args.repeat, args.seed, args.threads, not args.no_sql)
    print_report(report)


if __name__ == "__main__":
    main()
