"""The demo company ends today, so a first look at the dashboard is a live ledger, not stale data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.ledger.models import EntryRow
from encours.storage import base
from encours.storage.database import get_engine, unit_of_work


def test_business_today_is_the_date_in_paris(monkeypatch: pytest.MonkeyPatch) -> None:
    late_evening_utc = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 January in Paris
    monkeypatch.setattr(base, "utcnow", lambda: late_evening_utc)
    assert base.business_today() == dt.date(2027, 1, 1)
    assert base.today() == dt.date(2026, 12, 31)


def test_the_demo_ends_today_unless_told(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, err = invoke(cli, "demo", "--customers", "40", "--db", url)
    assert code == 0, err
    today = base.business_today()
    assert f"at {today.isoformat()}" in out
    with unit_of_work(get_engine(url)) as session:
        last = session.scalar(select(func.max(EntryRow.date)))
    assert last is not None and today - dt.timedelta(days=7) <= last <= today

    fixed = f"sqlite:///{tmp_path / 'fixed.db'}"
    code, out, err = invoke(cli, "demo", "--customers", "5", "--until", "2026-10-31", "--db", fixed)
    assert code == 0, err
    assert "at 2026-10-31" in out
