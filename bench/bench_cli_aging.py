"""`encours aging --as-of D` end to end on a large ledger, in SQLite and in PostgreSQL.

The bench bulk-loads the generated ledger into each database (executemany / COPY), then
times the command as a subprocess, from process start to the last byte of output, for each
output format. The baseline, measured in the same run on the same database, is a bare
``SELECT customer_pk, SUM(amount_cents) ... GROUP BY customer_pk`` (each customer's balance
without buckets); the CSV output's per-customer totals must equal it. PostgreSQL is skipped
when no server answers ($ENCOURS_TEST_POSTGRES_URL or /work/pg_url).

    uv run python bench/bench_cli_aging.py --items 1000000 --customers 200000
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))

import dbload
from child import run_encours
from encours.storage.database import get_engine
from ledger_data import generate

BARE = "SELECT customer_pk, SUM(amount_cents) FROM entries WHERE date <= :as_of GROUP BY customer_pk"
FORMATS = ("table", "csv", "json")


def bare_totals(url: str, as_of: Any, repeat: int) -> tuple[float, dict[str, int]]:
    """Best time of the bare GROUP BY, and its sums keyed by customer id."""
    engine = get_engine(url)
    best = float("inf")
    rows: list[Any] = []
    with engine.connect() as connection:
        for _ in range(repeat):
            start = time.perf_counter()
            rows = list(connection.execute(text(BARE), {"as_of": as_of}))
            best = min(best, time.perf_counter() - start)
        ids = {pk: cid for pk, cid in connection.execute(text("SELECT id, customer_id FROM customers"))}
    return best, {ids[pk]: int(cents) for pk, cents in rows if cents}


def csv_totals(output: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(output)):
        cents = int(Decimal(row["total"]) * 100)
        totals[row["customer_id"]] = totals.get(row["customer_id"], 0) + cents
    return {k: v for k, v in totals.items() if v}


def database(backend: str, folder: Path) -> contextlib.AbstractContextManager[str | None]:
    return dbload.bench_database(backend, folder / "bench.db")


def run(
    items: int,
    customers: int,
    backends: tuple[str, ...] = ("sqlite", "postgres"),
    formats: tuple[str, ...] = FORMATS,
    repeat: int = 3,
    seed: int = 2026,
) -> dict[str, Any]:
    ledger = generate(items, customers, seed)
    as_of = ledger.as_of
    report: dict[str, Any] = {"items": items, "customers": customers, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="encours-bench-") as tmp:
        for backend in backends:
            with database(backend, Path(tmp)) as url:
                if url is None:
                    report["backends"][backend] = {"skipped": "no PostgreSQL server"}
                    continue
                load = dbload.load_sqlite if backend == "sqlite" else dbload.load_postgres
                start = time.perf_counter()
                load(url, ledger)
                result: dict[str, Any] = {"load": time.perf_counter() - start}
                result["baseline"], expected = bare_totals(url, as_of, repeat)
                for fmt in formats:
                    args = ["aging", "--as-of", as_of.isoformat(), "--format", fmt, "--db", url]
                    runs = [run_encours(args) for _ in range(repeat)]
                    result[fmt] = min(run.wall for run in runs)
                    result[f"{fmt}_cpu"] = min(run.cpu for run in runs)
                    result[f"{fmt}_bytes"] = len(runs[0].stdout)
                    if fmt == "csv":
                        result["csv_equals_baseline"] = csv_totals(runs[0].stdout) == expected
                result["customers_with_balance"] = len(expected)
                report["backends"][backend] = result
                get_engine.cache_clear()
    return report


def print_report(report: dict[str, Any]) -> None:
    print(f"encours aging end to end: ~{report['items']:,} open items, {report['customers']:,} customers")
    for backend, result in report["backends"].items():
        if "skipped" in result:
            print(f"  {backend}: skipped ({result['skipped']})")
            continue
        print(
            f"  {backend}: loaded in {result['load']:.1f} s; {result['customers_with_balance']:,} customers "
            f"with a balance; baseline bare GROUP BY {result['baseline']:.3f} s"
        )
        for fmt in FORMATS:
            if fmt in result:
                ratio = result[fmt] / result["baseline"]
                size = result[f"{fmt}_bytes"] / 1e6
                line = f"--format {fmt:<6} {result[fmt]:.2f} s wall, {result[fmt + '_cpu']:.2f} s CPU"
                line += f"  ({size:.1f} MB out)  ratio {ratio:.1f}x"
                print(f"    {line}  target < 5 s")
        if "csv_equals_baseline" in result:
            print(f"    CSV per-customer totals equal the baseline: {result['csv_equals_baseline']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    parser.add_argument("--format", choices=FORMATS, action="append")
    args = parser.parse_args()
    backends = tuple(args.backend or ("sqlite", "postgres"))
    formats = tuple(args.format or FORMATS)
    print_report(run(args.items, args.customers, backends, formats, args.repeat, args.seed))


if __name__ == "__main__":
    main()
