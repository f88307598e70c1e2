"""Dunning decisions on 1M open items over 100k customers, against a bare SQL floor.

Prints, in one run on the same database: the project's decision time (scenario per customer,
step per open invoice, markers, casework suppressions, grouping into actions: everything but
sending), the time to write those decisions to the outbox, and a bare SQL query over the same
open items (open amounts at the date, one date comparison, GROUP BY customer) as the floor,
with their ratio. Target (issue 3): decisions under 60 s.

    uv run python bench/bench_dunning.py [--items 1000000] [--customers 100000] [--postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from dbload import ThrowawayPostgres, load_postgres, load_sqlite, postgres_available
from encours.dunning.service import decide, load_config, record_decisions
from encours.settings import get_settings
from encours.storage.database import get_engine, session_factory
from ledger_data import generate

# The floor: open amounts of the invoices at the date and one date comparison, per customer.
BASELINE = """
WITH settled AS (
    SELECT debit_entry_id AS entry_id, SUM(amount_cents) AS cents
    FROM allocations WHERE date <= :as_of GROUP BY debit_entry_id
)
SELECT e.customer_pk, COUNT(*), SUM(e.amount_cents - COALESCE(s.cents, 0))
FROM entries e LEFT JOIN settled s ON s.entry_id = e.id
WHERE e.amount_cents > 0 AND e.date <= :as_of AND e.due_date <= :due_to
  AND e.amount_cents - COALESCE(s.cents, 0) > 0
GROUP BY e.customer_pk
"""


def measure(url: str, as_of: dt.date) -> tuple[float, float, float, int, int]:
    engine = get_engine(url)
    config = load_config(get_settings())
    session = session_factory(engine)()
    try:
        start = time.perf_counter()
        rows = session.execute(text(BASELINE), {"as_of": as_of, "due_to": as_of + dt.timedelta(days=5)}).all()
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        decisions = decide(session, config, as_of)
        deciding = time.perf_counter() - start
        invoices = sum(len(a.invoices) for a in decisions.actions)
        start = time.perf_counter()
        record_decisions(session, decisions, "bench")
        session.flush()
        writing = time.perf_counter() - start
    finally:
        session.rollback()
        session.close()
    assert rows
    return baseline, deciding, writing, len(decisions.actions), invoices


def report(backend: str, figures: tuple[float, float, float, int, int]) -> None:
    baseline, deciding, writing, actions, invoices = figures
    print(
        f"{backend:10s} decisions {deciding:7.2f} s ({actions} actions over {invoices} invoices) | "
        f"bare SQL {baseline:6.2f} s | ratio {deciding / baseline:5.1f}x | "
        f"writing outbox + markers {writing:6.2f} s | target decisions < 60 s: "
        f"{'OK' if deciding < 60 else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="also measure on PostgreSQL")
    args = parser.parse_args()
    ledger = generate(args.items, args.customers)
    print(f"ledger: {args.items} open items, {args.customers} customers, as of {ledger.as_of}")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        load_sqlite(url, ledger)
        report("SQLite", measure(url, ledger.as_of))
    if args.postgres:
        admin = postgres_available()
        if admin is None:
            print("PostgreSQL: no server, skipped")
            return
        with ThrowawayPostgres(admin) as pg_url:
            load_postgres(pg_url, ledger)
            report("PostgreSQL", measure(pg_url, ledger.as_of))


if __name__ == "__main__":
    main()
