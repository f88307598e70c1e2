"""The benchmarks run at a tiny size and their results equal their baselines (no timings here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_analytics  # noqa: E402
import bench_cli_aging  # noqa: E402
import bench_import  # noqa: E402
import bench_jobs  # noqa: E402
import bench_web  # noqa: E402
import dbload  # noqa: E402
import dunning_day  # noqa: E402
from ledger_data import generate  # noqa: E402


def backends() -> tuple[str, ...]:
    return ("sqlite", "postgres") if dbload.postgres_available() else ("sqlite",)


def test_analytics_bench_matches_its_baseline() -> None:
    report = bench_analytics.run(items=3_000, customers=300, repeat=1)
    assert report["open_items"] > 2_500
    assert report["aging_totals_equal_baseline"]
    assert report["kpi_outstanding_equal_baseline"]
    assert report["sql_equals_columnar"]
    assert report["customers_in_balance"] > 250
    assert report["aging"]["ratio"] > 0


def test_cli_aging_bench_output_matches_its_baseline() -> None:
    report = bench_cli_aging.run(items=2_000, customers=300, backends=backends(), formats=("csv",), repeat=1)
    for backend in backends():
        result: dict[str, Any] = report["backends"][backend]
        assert result["csv_equals_baseline"], backend
        assert result["customers_with_balance"] > 250


@pytest.mark.parametrize("backend", backends())
def test_import_bench_stores_every_row_and_reimport_changes_nothing(backend: str) -> None:
    report = bench_import.run(rows=2_000, customers=300, backends=(backend,))
    result = report["backends"][backend]
    assert report["baseline_rows"] == 2_000
    assert result["entries"] == 2_000
    assert 250 < result["customers"] <= 300
    assert result["reimport_changed_nothing"]
    assert result["first"]["peak_rss_mib"] > 0


@pytest.mark.skipif(not dbload.postgres_available(), reason="the web bench serves PostgreSQL")
def test_web_bench_gets_every_page_served_by_two_workers_without_error() -> None:
    admin = dbload.postgres_available()
    assert admin is not None
    args = argparse.Namespace(
        customers=200, clients=5, requests=12, seconds=120.0, think_ms=0.0, workers=2, wait_background=300.0
    )
    with dbload.ThrowawayPostgres(admin) as url:
        bench_web.prepare(url, generate(2_000, 200))
        timings, errors, _, _, background, cpu = bench_web.measure(url, args)
    assert errors == []
    assert cpu["pages"].startswith("server processes ") and "PostgreSQL backends" in cpu["pages"]
    assert background.startswith("ready")  # the trend and the forecast showed on the dashboard
    pages = {name: len(found) for name, found in timings.items() if name != "baseline /healthz"}
    assert pages == dict.fromkeys(bench_web.MARKERS, 5)  # 5 clients x 12 requests over the 12 pages
    assert len(timings["baseline /healthz"]) == 60


@pytest.mark.skipif(not dbload.postgres_available(), reason="the regular day's run is measured on PostgreSQL")
def test_regular_dunning_day_is_delivered_once_by_one_worker_and_by_two() -> None:
    admin = dbload.postgres_available()
    assert admin is not None
    measured = dunning_day.regular_day(admin, items=4_000, customers=400, shards=4, smtp_ms=0)
    setup = measured["setup"]
    assert setup["catch_up_actions"] > 300  # the catch-up decided on D-1 ...
    assert setup["marked_delivered"] == setup["catch_up_actions"]  # ... and was recorded delivered
    one, two = measured["runs"]
    for run in (one, two):
        assert run["status"] == "done"
        assert run["parts"] == 4
        assert sum(run["channels"].values()) == run["actions"] > 5  # a day's actions, not a catch-up
        assert run["actions"] < setup["catch_up_actions"] / 5
        assert run["received"] == run["messages"] > 0  # each e-mail reached the server ...
        assert run["duplicates"] == 0  # ... once
        assert run["letters"] == run["channels"].get("letter", 0)
        assert run["failed"] == run["retry"] == 0
        assert run["cpu_seconds"] > 0
    # both runs started from the same clone of the template: the same day decided the same way
    same = ("actions", "channels", "messages")
    assert [one[k] for k in same] == [two[k] for k in same]
    args = argparse.Namespace(dunning_items=4_000, customers=400, shards=4, smtp_ms=0.0)
    lines = bench_jobs.regular_day_lines(measured, args)
    assert "duplicates 0" in lines[2] and "duplicates 0" in lines[3]
