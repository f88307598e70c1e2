"""Whole-ledger figures shared by the server's worker processes through the database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import update

from encours.domain.kpi import Kpis
from encours.storage.database import get_engine, unit_of_work
from encours.web import figure_store
from encours.web.figures import TREND, Figures
from encours.web.models import FigureSnapshotRow

DAY = dt.date(2026, 10, 31)
KPIS = Kpis(
    DAY, "EUR", Decimal("1234.56"), Decimal("200.10"), Decimal("0.162"), Decimal("41.3"),
    Decimal("40.1"), None, Decimal("7.2"), Decimal("0.91"), None,
)  # fmt: skip
TREND_VALUE = [(dt.date(2026, 9, 30), KPIS._replace(as_of=dt.date(2026, 9, 30))), (DAY, KPIS)]


def test_a_snapshot_reads_back_equal_with_decimals_and_dates(db_url: str) -> None:
    engine = get_engine(db_url)
    figure_store.save(engine, "k1", "trend", TREND_VALUE, TREND)
    with unit_of_work(engine) as session:
        found = figure_store.load(session, "k1", TREND, max_age=60)
    assert found == TREND_VALUE
    assert isinstance(found[1][1].outstanding, Decimal)


def test_an_old_snapshot_is_not_read_and_saving_again_replaces_it(db_url: str) -> None:
    engine = get_engine(db_url)
    figure_store.save(engine, "k2", "trend", TREND_VALUE[:1], TREND)
    with unit_of_work(engine) as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        session.execute(update(FigureSnapshotRow).values(computed_at=long_ago))
    with unit_of_work(engine) as session:
        assert figure_store.load(session, "k2", TREND, max_age=60) is None
    figure_store.save(engine, "k2", "trend", TREND_VALUE, TREND)
    with unit_of_work(engine) as session:
        assert figure_store.load(session, "k2", TREND, max_age=60) == TREND_VALUE


def test_one_process_at_a_time_claims_a_slow_figure(db_url: str) -> None:
    engine = get_engine(db_url)
    assert figure_store.claim(engine, "job", seconds=60)
    assert not figure_store.claim(engine, "job", seconds=60)
    assert figure_store.claim(engine, "other job", seconds=60)
    assert figure_store.claim(engine, "job", seconds=0)  # a claim older than its time is taken over


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
