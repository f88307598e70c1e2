"""`encours import` of a large canonical invoices file: time and peak memory, then a re-import.

The file (SPEC §2 canonical invoices: invoices and credit notes, a tenth without due date,
some disputed, 200k customers created on the fly) is written from a seeded generator. The
baseline, measured in the same run, is a bare ``csv.reader`` pass over the same file. Peak
memory is the child's maximum resident set size (``os.wait4``). The re-import must create
nothing and change nothing.

    uv run python bench/bench_import.py --rows 1000000 --customers 200000
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))

import dbload
from child import run_encours
from encours.storage.database import get_engine

HEADER = "invoice_id,customer_id,issue_date,due_date,amount,currency,kind,disputed,reference\n"
FIRST_DAY = dt.date(2024, 11, 1)


def write_invoices(path: Path, rows: int, customers: int, seed: int = 2026) -> None:
    rng = np.random.default_rng(seed)
    customer = rng.integers(1, customers + 1, rows)
    issue = rng.integers(0, 730, rows)
    terms = rng.choice(np.array([30, 45, 60]), rows)
    no_due = rng.random(rows) < 0.1
    cents = rng.lognormal(11.0, 1.2, rows).astype(np.int64) + 100
    credit = rng.random(rows) < 0.05
    disputed = rng.random(rows) < 0.02
    days = [(FIRST_DAY + dt.timedelta(days=int(d))).isoformat() for d in range(730 + 61)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for i in range(rows):
            due = "" if no_due[i] or credit[i] else days[issue[i] + terms[i]]
            amount = f"{cents[i] // 100}.{cents[i] % 100:02d}"
            handle.write(
                f"F{i + 1:08d},C{customer[i]:07d},{days[issue[i]]},{due},{amount},EUR,"
                f"{'credit_note' if credit[i] else 'invoice'},{'true' if disputed[i] else 'false'},"
                f"PO-{i % 9973}\n"
            )


def bare_read(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return time.perf_counter() - start, count


def child_run(args: list[str]) -> dict[str, Any]:
    """Wall time, CPU time, peak RSS and output of one ``encours`` subprocess (the report's shape)."""
    return run_encours(args)._asdict()


def database(backend: str, folder: Path) -> contextlib.AbstractContextManager[str | None]:
    return dbload.bench_database(backend, folder / "import.db")


def counts(url: str) -> tuple[int, int]:
    with get_engine(url).connect() as connection:
        entries = connection.execute(text("SELECT COUNT(*) FROM entries")).scalar_one()
        customers = connection.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
    return int(entries), int(customers)


def run(
    rows: int, customers: int, backends: tuple[str, ...] = ("sqlite", "postgres"), seed: int = 2026
) -> dict[str, Any]:
    report: dict[str, Any] = {"rows": rows, "customers": customers, "backends": {}}
    with tempfile.TemporaryDirectory(prefix="encours-import-") as tmp:
        path = Path(tmp) / "invoices.csv"
        write_invoices(path, rows, customers, seed)
        report["file_mb"] = path.stat().st_size / 1e6
        report["baseline"], report["baseline_rows"] = bare_read(path)
        for backend in backends:
            with database(backend, Path(tmp)) as url:
                if url is None:
                    report["backends"][backend] = {"skipped": "no PostgreSQL server"}
                    continue
                get_engine(url)  # migrate first: the import alone is timed
                first = child_run(["import", str(path), "--db", url])
                again = child_run(["import", str(path), "--db", url])
                entries, stored_customers = counts(url)
                found = re.search(r"entries (\d+) new, (\d+) updated, (\d+) unchanged", again["stdout"])
                report["backends"][backend] = {
                    "first": first,
                    "again": again,
                    "entries": entries,
                    "customers": stored_customers,
                    "reimport_changed_nothing": bool(found) and found.groups() == ("0", "0", str(rows)),
                }
                get_engine.cache_clear()
    return report


def print_report(report: dict[str, Any]) -> None:
    print(
        f"encours import: {report['rows']:,} canonical invoice rows ({report['file_mb']:.0f} MB), "
        f"{report['customers']:,} customers created on the fly"
    )
    print(f"  baseline bare csv.reader pass: {report['baseline']:.2f} s ({report['baseline_rows']:,} rows)")
    for backend, result in report["backends"].items():
        if "skipped" in result:
            print(f"  {backend}: skipped ({result['skipped']})")
            continue
        for label, key in (("import   ", "first"), ("re-import", "again")):
            run_ = result[key]
            print(
                f"  {backend:<8} {label} {run_['wall']:6.1f} s wall, {run_['cpu']:6.1f} s CPU, "
                f"peak RSS {run_['peak_rss_mib']:5.0f} MiB, ratio {run_['wall'] / report['baseline']:.1f}x "
                f"(targets < 60 s, < 2048 MiB)"
            )
        print(
            f"    stored {result['entries']:,} entries, {result['customers']:,} customers; "
            f"re-import changed nothing: {result['reimport_changed_nothing']}"
        )


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    args = parser.parse_args()
    print_report(run(args.rows, args.customers, tuple(args.backend or ("sqlite", "postgres")), args.seed))


if __name__ == "__main__":
    main()
