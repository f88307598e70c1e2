"""The cash-application benchmark at a tiny size: its generated statement is matched with no
wrong allocation, and better than the reference-only baseline (no timings here)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import bench_cash_application


def test_cash_application_bench_is_right_where_it_matches() -> None:
    report = bench_cash_application.run(invoices=3_000, receipts=300, seed=5)
    assert report["wrong"] == 0 and report["baseline_wrong"] == 0
    assert report["hit_rate"] >= 0.9 > report["baseline_hit_rate"]
    assert report["summary"]["duplicate"] > 0
