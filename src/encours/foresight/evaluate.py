"""Reproduce the backtest figures of bench/RESULTS.md: `python -m encours.foresight.evaluate`.

Loads synthetic ledgers (IBM-like AR files and demo companies) into throw-away SQLite
databases and runs the same rolling backtest as `encours backtest`, printing Markdown rows
with the customer-median baseline beside the model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from encours.demo.generator import DemoLedger, generate
from encours.foresight.backtest import Backtest, run_backtest
from encours.foresight.service import read_ledger
from encours.foresight.synthetic import generate_ar
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work


def _backtest(ledger: DemoLedger, cutoff: dt.date) -> tuple[Backtest, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ledger.db'}"
        parsed = ParsedFile(file="evaluate", format="demo", customers=ledger.customers,
                            entries=ledger.entries, allocations=ledger.allocations)  # fmt: skip
        with unit_of_work(get_engine(url)) as session:
            ImportService(session).store(
                parsed, SourceFile(Path("evaluate"), hashlib.sha256(b"e").digest(), "demo")
            )
        with Session(get_engine(url)) as session:
            data = read_ledger(session)
        get_engine(url).dispose()
        get_engine.cache_clear()
    started = time.perf_counter()
    result = run_backtest(data.history, data.allocations, cutoff)
    return result, time.perf_counter() - started


def _row(name: str, result: Backtest, seconds: float) -> str:
    m, b = result.model, result.baseline
    actual = sum(f.actual_cents for f in result.forecasts)
    wape = sum(f.abs_error_cents for f in result.forecasts) / actual if actual else float("nan")
    base = sum(f.baseline_abs_error_cents for f in result.forecasts) / actual if actual else float("nan")
    band = sum(f.weeks_in_band for f in result.forecasts)
    return (
        f"| {name} | {result.history.size} | {m.settled} | {m.mae_days:.2f} | {b.mae_days:.2f} | "
        f"{m.auc:.3f} | {b.auc:.3f} | {wape:.3f} | {base:.3f} | {band}/{13 * len(result.forecasts)} | "
        f"{seconds:.0f} s |"
    )


def main() -> None:
    print("| ledger | invoices ≥ C | settled | MAE model | MAE baseline | AUC model | AUC baseline "
          "| 13-wk WAPE model | WAPE baseline | weeks in p10–p90 | time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    cases: list[tuple[str, DemoLedger, dt.date]] = [
        (
            f"IBM-like AR seed {seed} (100 cust., 2.5k inv., C=2013-01-01)",
            generate_ar(seed=seed),
            dt.date(2013, 1, 1),
        )
        for seed in (1, 2, 3)
    ]
    cases += [
        ("demo seed 7, 40 customers (C=2026-01-01)", generate(seed=7, customers=40), dt.date(2026, 1, 1)),
        ("demo seed 42, 100 customers (C=2026-01-01)", generate(seed=42, customers=100), dt.date(2026, 1, 1)),
    ]
    for name, ledger, cutoff in cases:
        result, seconds = _backtest(ledger, cutoff)
        print(_row(name, result, seconds), flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
