"""schedule.toml: the §12 defaults in Europe/Paris time, working days, each occurrence once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.domain.errors import InvalidInput
from encours.jobs import schedule, service
from encours.jobs.registry import job_day
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.web import job_kinds

PARIS = ZoneInfo("Europe/Paris")
assert "dunning_run" in job_kinds.kinds()


def paris(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=PARIS)


def kinds_due(moment: dt.datetime) -> set[str]:
    """The default schedule's kinds at this minute, less the notification e-mails (every quarter hour)."""
    plan = schedule.load(None)
    found = {job.kind for job, local in schedule.due(plan, moment) if local == moment.replace(second=0)}
    assert ("notification_emails" in found) == (moment.minute % 15 == 0)
    return found - {"notification_emails"}


def test_the_defaults_run_dunning_on_working_days_training_nightly_and_the_digest_on_mondays() -> None:
    assert kinds_due(paris(2026, 12, 1, 7, 0)) == {"dunning_run"}  # a Tuesday
    assert kinds_due(paris(2026, 12, 5, 7, 0)) == set()  # Saturday
    assert kinds_due(paris(2026, 12, 25, 7, 0)) == set()  # Christmas, a Friday
    assert kinds_due(paris(2026, 7, 14, 7, 0)) == set()  # Bastille Day, a Tuesday
    assert kinds_due(paris(2026, 12, 7, 8, 0)) == {"weekly_digest"}  # a Monday
    assert kinds_due(paris(2026, 12, 6, 8, 0)) == set()  # Sunday
    assert kinds_due(paris(2026, 12, 5, 1, 30)) == {"model_training"}  # every night
    assert kinds_due(paris(2026, 12, 6, 13, 45)) == kinds_due(paris(2026, 12, 6, 13, 50)) == set()  # a Sunday


def test_seven_in_paris_stays_seven_across_daylight_saving() -> None:
    plan = schedule.load(None)
    winter = schedule.next_runs(plan, dt.datetime(2026, 3, 26, 12, tzinfo=dt.UTC), 1)["dunning"][0]
    summer = schedule.next_runs(plan, dt.datetime(2026, 3, 29, 12, tzinfo=dt.UTC), 1)["dunning"][0]
    assert (winter.hour, summer.hour) == (7, 7)
    assert winter.astimezone(dt.UTC).hour == 6 and summer.astimezone(dt.UTC).hour == 5  # CET, then CEST


def test_a_tick_enqueues_an_occurrence_once_however_often_it_runs(tmp_path: Path, sqlite_url: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "schedule.toml").write_text(
        '[[job]]\nname = "pings"\nkind = "ping"\ncron = "*/5 * * * *"\n', encoding="utf-8"
    )
    settings = Settings(data_dir=data, database_url=sqlite_url)
    engine = get_engine(sqlite_url)
    at = paris(2026, 12, 1, 9, 10, 20).timestamp()
    first = [s.job_id for s in schedule.tick(engine, settings, at)]
    again = [s.job_id for s in schedule.tick(engine, settings, at + 60)]  # 09:10 still in its look-back
    assert len(first) == 2 and again == first[1:]  # 09:05 and 09:10, each queued once
    with unit_of_work(engine) as session:
        jobs = service.list_jobs(session, kind="ping")
    assert len(jobs) == 2 and {j.requested_by for j in jobs} == {"schedule"}
    assert sorted(j.params["scheduled_for"] for j in jobs) == [
        "2026-12-01T09:05:00+01:00", "2026-12-01T09:10:00+01:00",
    ]  # fmt: skip


def test_a_wrong_schedule_is_refused_naming_the_entry(tmp_path: Path) -> None:
    (tmp_path / "schedule.toml").write_text('[[job]]\nkind = "ping"\ncron = "every day"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="job 1: invalid cron"):
        schedule.load(tmp_path)


def test_an_unknown_kind_is_refused_at_start_and_keeps_no_other_job_from_starting(
    tmp_path: Path, sqlite_url: str, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "schedule.toml").write_text(
        '[[job]]\nname = "typo"\nkind = "dunning_rnu"\ncron = "0 7 * * *"\n\n'
        '[[job]]\nname = "pings"\nkind = "ping"\ncron = "0 7 * * *"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(data))
    code, _, err = invoke(cli, "schedule", "--show", "--db", sqlite_url)
    assert code == 2 and "job 'typo': unknown kind 'dunning_rnu'; known: " in err
    settings = Settings(data_dir=data, database_url=sqlite_url)
    started = schedule.tick(get_engine(sqlite_url), settings, paris(2026, 12, 1, 7, 0, 10).timestamp())
    assert [s.name for s in started] == ["pings"]  # the entry after the wrong one still starts


def test_a_job_works_for_its_as_of_else_its_scheduled_day_in_paris() -> None:
    both = {"as_of": "2026-10-31", "scheduled_for": "2026-12-01T07:00:00+01:00"}
    assert job_day(both) == dt.date(2026, 10, 31)
    assert job_day({"scheduled_for": "2026-12-01T00:30:00+01:00"}) == dt.date(2026, 12, 1)  # Nov 30 in UTC
    with pytest.raises(InvalidInput, match="invalid date '31/10/2026'"):
        job_day({"as_of": "31/10/2026"})
