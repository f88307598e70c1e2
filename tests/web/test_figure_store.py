"""Whole-ledger figures shared by the server's worker processes through the database."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from encours.domain.kpi import Kpis
from encours.jobs import service as jobs
from encours.storage.database import get_engine, unit_of_work
from encours.web import figure_store
from encours.web.figures import TREND, Figures
from encours.web.models import AppSettingRow, FigureSnapshotRow

DAY = dt.date(2026, 10, 31)
KPIS = Kpis(
    DAY, "EUR", Decimal("1234.56"), Decimal("200.10"), Decimal("0.162"), Decimal("41.3"),
    Decimal("40.1"), None, Decimal("7.2"), Decimal("0.91"), None,
)  # fmt: skip
TREND_VALUE = [(dt.date(2026, 9, 30), KPIS._replace(as_of=dt.date(2026, 9, 30))), (DAY, KPIS)]


def test_a_snapshot_reads_back_equal_with_decimals_and_dates(db_url: str) -> None:
    engine = get_engine(db_url)
    with unit_of_work(engine) as session:
        figure_store.save(session, "k1", "trend", TREND_VALUE, TREND)
    with unit_of_work(engine) as session:
        found = figure_store.load(session, "k1", TREND, max_age=60)
    assert found == TREND_VALUE
    assert isinstance(found[1][1].outstanding, Decimal)


def test_an_old_snapshot_is_not_read_and_saving_again_replaces_it(db_url: str) -> None:
    engine = get_engine(db_url)
    with unit_of_work(engine) as session:
        figure_store.save(session, "k2", "trend", TREND_VALUE[:1], TREND)
    with unit_of_work(engine) as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        session.execute(update(FigureSnapshotRow).values(computed_at=long_ago))
    with unit_of_work(engine) as session:
        assert figure_store.load(session, "k2", TREND, max_age=60) is None
    with unit_of_work(engine) as session:
        figure_store.save(session, "k2", "trend", TREND_VALUE, TREND)
    with unit_of_work(engine) as session:
        assert figure_store.load(session, "k2", TREND, max_age=60) == TREND_VALUE


def test_one_process_at_a_time_computes_a_slow_figure(postgres_url: str) -> None:
    engine = get_engine(postgres_url)
    with unit_of_work(engine) as first, unit_of_work(engine) as second:
        assert figure_store.try_lock(first, "ab" * 32)
        assert not figure_store.try_lock(second, "ab" * 32)
        assert figure_store.try_lock(second, "cd" * 32)
    with unit_of_work(engine) as later:  # released with the transaction that held it
        assert figure_store.try_lock(later, "ab" * 32)


def test_a_second_worker_reads_the_figure_the_first_computed(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    first, second = Figures(), Figures()  # two worker processes: two in-memory caches
    calls: list[str] = []

    def compute() -> list[tuple[dt.date, Kpis]]:
        calls.append("computed")
        return TREND_VALUE

    def must_not_compute() -> list[tuple[dt.date, Kpis]]:
        pytest.fail("the second worker recomputed a figure the first one had stored")

    with unit_of_work(engine) as session:
        assert first.cached(session, "trend", (DAY,), compute, TREND) == TREND_VALUE
    with unit_of_work(engine) as session:
        assert second.cached(session, "trend", (DAY,), must_not_compute, TREND) == TREND_VALUE
    with unit_of_work(engine) as session:  # another date is another figure
        assert second.cached(session, "trend", (DAY - dt.timedelta(days=1),), compute, TREND)
    assert calls == ["computed", "computed"]


def test_a_slow_figure_is_computed_by_the_figures_job_and_read_by_pages(db_url: str) -> None:
    """The job (synchronous) stores it, its own writes included; a page never computes it."""
    engine = get_engine(db_url)

    def compute(own: Session) -> list[tuple[dt.date, Kpis]]:
        own.add(AppSettingRow(key="model trained", value="yes"))
        own.flush()
        return TREND_VALUE

    def must_not_compute(own: Session) -> list[tuple[dt.date, Kpis]]:
        pytest.fail("a page computed a slow figure")

    with unit_of_work(engine) as session:
        assert Figures().background(session, "trend", (DAY,), must_not_compute, TREND) is None
    with unit_of_work(engine) as session:
        assert Figures(synchronous=True).background(session, "trend", (DAY,), compute, TREND) == TREND_VALUE
    with unit_of_work(engine) as session:  # and another process finds it stored
        assert Figures().background(session, "trend", (DAY,), must_not_compute, TREND) == TREND_VALUE


def test_two_workers_asking_at_once_compute_a_figure_once(postgres_url: str) -> None:
    engine = get_engine(postgres_url)
    calls: list[str] = []
    results: list[list[tuple[dt.date, Kpis]]] = []

    def slow() -> list[tuple[dt.date, Kpis]]:
        calls.append("computed")
        time.sleep(0.5)
        return TREND_VALUE

    def worker() -> None:
        with unit_of_work(engine) as session:
            results.append(Figures().cached(session, "summary", (DAY,), slow, TREND))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [TREND_VALUE, TREND_VALUE]
    assert calls == ["computed"]  # the second waited for the first's snapshot


def test_a_page_shows_a_snapshot_older_than_the_ttl_and_queues_its_refresh(db_url: str) -> None:
    """After a quiet spell the first page shows what the figures job stored for this ledger
    state at once (and queues the job again) rather than computing it in the request."""
    engine = get_engine(db_url)
    with unit_of_work(engine) as session:
        Figures(synchronous=True).cached(session, "trend", (DAY,), lambda: TREND_VALUE, TREND)
    with unit_of_work(engine) as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        session.execute(update(FigureSnapshotRow).values(computed_at=long_ago))

    def must_not_compute() -> list[tuple[dt.date, Kpis]]:
        pytest.fail("a page computed a figure whose snapshot was stored")

    with unit_of_work(engine) as session:
        assert Figures().cached(session, "trend", (DAY,), must_not_compute, TREND) == TREND_VALUE
    with unit_of_work(engine) as session:
        queued = [j for j in jobs.list_jobs(session) if j.kind == "figures"]
    assert len(queued) == 1 and queued[0].params == {"as_of": DAY.isoformat()}
