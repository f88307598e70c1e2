"""Recurring jobs from ``schedule.toml``: which occurrences are due, each enqueued once.

The defaults (SPEC §12, shipped ``encours/data/schedule.toml``): the dunning run every
working day at 07:00, model training nightly, the weekly digest on Mondays at 08:00, all in
Europe/Paris time, so a run stays at 07:00 across daylight-saving changes. Working days are
Monday to Friday less French public holidays (the ``holidays`` package). Each occurrence
has a dedupe key (name and local minute): schedulers on several hosts, or a tick repeated
after a restart, enqueue it once. A tick looks back a few minutes, so a scheduler that was
busy or restarting at the exact minute still starts the job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from croniter import croniter
from sqlalchemy import Engine

from encours.data_files import user_or_shipped
from encours.domain.errors import EncoursError, InvalidInput
from encours.jobs import registry
from encours.settings import Settings
from encours.storage.database import unit_of_work

log = logging.getLogger(__name__)
SCHEDULE_FILE = "schedule.toml"
LOOK_BACK_MINUTES = 5


@dataclasses.dataclass(frozen=True)
class Recurring:
    name: str
    kind: str
    cron: str
    working_days: bool
    params: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    jobs: tuple[Recurring, ...]
    source: str


def load(data_dir: Path | None) -> Schedule:
    """The user's ``schedule.toml`` else the shipped one; a wrong entry is refused naming it."""
    file = user_or_shipped(SCHEDULE_FILE, data_dir)
    source = file.source
    try:
        raw = tomllib.loads(file.read_text())
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InvalidInput.because(
            "schedule_unreadable", source=source, reason=str(exc), line=line.group(1) if line else "?"
        ) from None
    zone_name = str(raw.get("timezone", "Europe/Paris"))
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput.because(
            "schedule_bad_timezone", field="timezone", source=source, zone=zone_name
        ) from None
    jobs = []
    for index, entry in enumerate(raw.get("job", []), start=1):
        cron = str(entry.get("cron", ""))
        if not croniter.is_valid(cron):
            raise InvalidInput.because(
                "schedule_bad_cron", field="cron", source=source, index=index, cron=cron
            )
        if "kind" not in entry:
            raise InvalidInput.because("schedule_no_kind", field="kind", source=source, index=index)
        jobs.append(Recurring(
            str(entry.get("name", entry["kind"])), str(entry["kind"]), cron,
            bool(entry.get("working_days", False)), dict(entry.get("params", {})),
        ))  # fmt: skip
    return Schedule(zone, tuple(jobs), file.source)


def check_kinds(schedule: Schedule) -> None:
    """Every entry names a kind of job there is: a typo is refused when the scheduler starts,
    not found at 07:00 (the edges call it once the kinds are registered)."""
    known = registry.kinds()
    for job in schedule.jobs:
        if job.kind not in known:
            raise InvalidInput.because(
                "schedule_unknown_kind", field="kind", source=schedule.source, name=job.name, kind=job.kind,
                known=tuple(known),
            )  # fmt: skip


def problem(data_dir: Path | None) -> EncoursError | None:
    """Why the schedule starts nothing (what the jobs page tells a manager), else None."""
    try:
        check_kinds(load(data_dir))
    except EncoursError as refusal:
        return refusal
    return None


def working_day(day: dt.date) -> bool:
    """Monday to Friday, and not a French public holiday."""
    return day.weekday() < 5 and day not in holidays.country_holidays("FR", years=day.year)


def due(schedule: Schedule, moment: dt.datetime) -> list[tuple[Recurring, dt.datetime]]:
    """The occurrences in the minutes up to ``moment`` (aware), in the schedule's local time."""
    local_now = moment.astimezone(schedule.zone).replace(second=0, microsecond=0)
    found = []
    for back in range(LOOK_BACK_MINUTES, -1, -1):
        local = (local_now - dt.timedelta(minutes=back)).astimezone(schedule.zone)
        naive = local.replace(tzinfo=None)
        for job in schedule.jobs:
            if not croniter.match(job.cron, naive):
                continue
            if job.working_days and not working_day(local.date()):
                continue
            found.append((job, local))
    return found


def next_runs(schedule: Schedule, after: dt.datetime, count: int = 1) -> dict[str, list[dt.datetime]]:
    """When each recurring job will next run (what ``encours schedule --show`` prints)."""
    result: dict[str, list[dt.datetime]] = {}
    for job in schedule.jobs:
        runs: list[dt.datetime] = []
        base = after.astimezone(schedule.zone).replace(tzinfo=None)
        it = croniter(job.cron, base)
        while len(runs) < count:
            candidate = it.get_next(dt.datetime)
            if job.working_days and not working_day(candidate.date()):
                continue
            runs.append(candidate.replace(tzinfo=schedule.zone))
        result[job.name] = runs
    return result


class Started(NamedTuple):
    """An occurrence the scheduler looked at, and the job it is (queued now or already)."""

    name: str
    at: dt.datetime  # local time of the occurrence
    job_id: int


def tick(engine: Engine, settings: Settings, timestamp: float | None = None) -> list[Started]:
    """Enqueue the occurrences due at ``timestamp`` (default now) not enqueued yet; every due one's job."""
    from encours.jobs import service  # service -> dispatch -> inprocess imports nothing of this module

    moment = (
        dt.datetime.fromtimestamp(timestamp, dt.UTC) if timestamp is not None else dt.datetime.now(dt.UTC)
    )
    schedule = load(settings.data_dir)
    started = []
    for job, local in due(schedule, moment):
        key = f"schedule:{job.name}:{local.strftime('%Y-%m-%dT%H:%M%z')}"
        params = {**job.params, "scheduled_for": local.isoformat()}
        try:
            with unit_of_work(engine) as session:
                queued = service.enqueue(session, job.kind, params, requested_by="schedule", dedupe_key=key)
        except EncoursError as refusal:  # one wrong entry does not keep the others from starting
            log.error("%s: job %r not queued: %s", schedule.source, job.name, refusal)
            continue
        started.append(Started(job.name, local, queued.job_id))
    return started


TICK_EVERY = 30.0  # seconds between two looks at the schedule (each occurrence fires once)


Reporter = Callable[[Started], None]


def _log_started(started: Started) -> None:
    log.info("%s of %s is job %s", started.name, started.at.isoformat(timespec="minutes"), started.job_id)


def run_forever(
    engine: Engine, settings: Settings, stop: threading.Event, report: Reporter = _log_started
) -> None:
    """The in-process scheduler (SQLite's ``encours worker`` and ``encours serve``, ``encours schedule``).

    ``report`` is told of each occurrence once (a tick sees it again during its look-back).
    """
    seen: set[Started] = set()
    while True:
        try:
            found = tick(engine, settings)
            for started in found:
                if started not in seen:
                    report(started)
            seen = set(found)
        except Exception:
            log.exception("schedule tick failed")
        if stop.wait(TICK_EVERY):
            return


def start(engine: Engine, settings: Settings) -> threading.Event:
    """Run the scheduler in a thread until the returned event is set."""
    stop = threading.Event()
    threading.Thread(
        target=run_forever, args=(engine, settings, stop), name="encours-schedule", daemon=True
    ).start()
    return stop
