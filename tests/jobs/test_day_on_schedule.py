"""A day on schedule (issue 13, SPEC §12): the recurring jobs of schedule.toml run once each.

PostgreSQL: two ``encours worker --no-scheduler`` and two ``encours schedule`` started at the
same time (subprocesses, the real CLI) on a demo ledger run the day's dunning run, model
training and weekly digest: one job per occurrence, each run once, every e-mail received
once, a model stored that the forecast then uses. SQLite: ``encours serve`` alone (the path
of README's first command) does the same day with no other process.

The schedule is the shipped one with each cron moved to the current minute in Paris: the
scheduler looks a few minutes back, so an occurrence of this minute is due at its first tick
and the test waits for no clock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select, text
from tests.conftest import DEMO_UNTIL, SmtpServer, query
from tests.dunning.conftest import store_ledger
from tests.web.conftest import PASSWORD, encours_command, serving

from encours.audit.service import events
from encours.demo.generator import DemoLedger, generate
from encours.dunning.service import list_actions
from encours.jobs import schedule
from encours.jobs.models import JobRow
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService

PARIS = ZoneInfo("Europe/Paris")
DIGEST_TO = "direction@encours.test"
WAIT = 240.0  # seconds: a bound for a slow machine, not a figure (a day takes ~20 s here)
DAY_KINDS = ["dunning_run", "model_training", "notification_emails", "weekly_digest"]  # the shipped four


def the_days_schedule(data: Path) -> dt.datetime:
    """The shipped schedule.toml with every cron at this minute in Paris, on any day; that minute."""
    minute = dt.datetime.now(PARIS).replace(second=0, microsecond=0)
    lines = ['timezone = "Europe/Paris"']
    for job in schedule.load(None).jobs:
        params = ", ".join(f"{key} = {json.dumps(value)}" for key, value in job.params.items())
        lines += ["", "[[job]]", f'name = "{job.name}"', f'kind = "{job.kind}"',
                  f'cron = "{minute.minute} {minute.hour} * * *"', "working_days = false",
                  f"params = {{ {params} }}"]  # fmt: skip
    data.mkdir(parents=True, exist_ok=True)
    (data / "schedule.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return minute


@pytest.fixture(scope="module")
def ledger() -> DemoLedger:
    """A smaller demo company than the shared one: the same kinds of customers, a quicker day."""
    return generate(seed=7, customers=16, until=DEMO_UNTIL)


@pytest.fixture
def day_env(tmp_path: Path, smtp_server: SmtpServer) -> dict[str, str]:
    """What every process of the day reads: the data dir, the SMTP server and the sender."""
    unset = ("ENCOURS_DATABASE_URL", "ENCOURS_FAULT_AFTER_SENDS", "ENCOURS_RATES_FILE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return {**env, "ENCOURS_DATA_DIR": str(tmp_path / "data"), "ENCOURS_SMTP_URL": smtp_server.url,
            "ENCOURS_MAIL_FROM": "relances@encours.test"}  # fmt: skip


def a_company(url: str, ledger: DemoLedger) -> None:
    """The demo ledger, and a manager who asked for the weekly digest."""
    store_ledger(url, ledger)
    with unit_of_work(get_engine(url)) as session:
        UserService(session).create(DIGEST_TO, "credit_manager", PASSWORD, actor="test", digest=True)


def encours(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*encours_command(), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*encours_command(), *args], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Started by the test, stopped (SIGTERM, then kill) at its end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def the_day_done(
    url: str,
    env: dict[str, str],
    alive: Sequence[subprocess.Popen[bytes]],
    logs: Sequence[Path],
    occurrences: int = len(DAY_KINDS),
) -> list[dict[str, Any]]:
    """``encours jobs list --format json`` once the occurrences and all they started are finished.

    While waiting, the job table is read here (a query): a CLI started twice a second would
    take the processes' CPU on a small machine.
    """
    deadline = time.monotonic() + WAIT
    engine = create_engine(url)
    try:
        while True:
            with engine.connect() as connection:
                found = connection.execute(select(JobRow.requested_by, JobRow.status)).all()
            scheduled = [status for by, status in found if by == "schedule"]
            if len(scheduled) >= occurrences and all(status in ("done", "failed") for _, status in found):
                break
            dead = [log.read_text(errors="replace")[-3000:]
                    for p, log in zip(alive, logs, strict=True) if p.poll() is not None]  # fmt: skip
            assert not dead, dead
            assert time.monotonic() < deadline, f"the day's jobs did not finish: {found}"
            time.sleep(0.5)
    finally:
        engine.dispose()
    jobs: list[dict[str, Any]] = json.loads(encours(env, "jobs", "list", "--format", "json", "--db", url))
    return jobs


def assert_the_day(url: str, jobs: list[dict[str, Any]], minute: dt.datetime, smtp: SmtpServer) -> None:
    """One job per occurrence, every job done at its first attempt, each e-mail received once."""
    scheduled = sorted((j for j in jobs if j["requested_by"] == "schedule"), key=lambda j: j["kind"])
    assert [j["kind"] for j in scheduled] == DAY_KINDS
    assert {j["params"]["scheduled_for"] for j in scheduled} == {minute.isoformat()}
    assert {(j["status"], j["attempts"]) for j in jobs} == {("done", 1)}, jobs  # shards included
    run, training, _notifications, digest = scheduled
    assert run["result"]["actions"] > 0 and len(run["result"]["parts"]) == len(run["result"]["shards"])
    assert training["result"]["trained"] is True and training["result"]["invoices"] > 0
    assert digest["result"]["sent"] == 1 and digest["result"]["to"] == [DIGEST_TO]
    received = Counter(str(r.message["Message-ID"]) for r in smtp.received)
    assert set(received.values()) == {1}, received.most_common(3)  # nothing arrived twice
    digests = [r for r in smtp.received if str(r.message["Subject"]).startswith("Encours digest")]
    assert [r.recipients for r in digests] == [(DIGEST_TO,)]
    with unit_of_work(get_engine(url)) as session:
        sent_ids = {e.details["message_id"] for e in events(session, limit=100_000)
                    if e.action == "dunning.sent" and e.details.get("message_id")}  # fmt: skip
        statuses = {a.status for a in list_actions(session)}
    assert sent_ids and set(received) == sent_ids | {str(digests[0].message["Message-ID"])}
    assert statuses <= {"sent", "produced"}  # every action of the run delivered


def stored_models(url: str) -> list[tuple[Any, ...]]:
    return query(url, "SELECT id, knowledge_before FROM model_artifacts ORDER BY id")


def assert_the_forecast_uses_the_trained_model(url: str, env: dict[str, str]) -> None:
    trained = stored_models(url)
    night = (DEMO_UNTIL + dt.timedelta(days=1)).isoformat()  # trained with the ledger's last day known
    assert len(trained) == 1 and str(trained[0][1]) == night
    printed = json.loads(encours(env, "forecast", "--as-of", DEMO_UNTIL.isoformat(), "--db", url))
    per_currency = printed if isinstance(printed, list) else [printed]
    assert all(f["invoices"] for f in per_currency)  # predicted ...
    assert {f["model"]["knowledge_before"] for f in per_currency} == {night}
    assert stored_models(url) == trained  # ... by the night's model, not one trained again


def said(log: Path, line: str) -> bool:
    return line in log.read_text(errors="replace")


@pytest.mark.postgres
def test_two_workers_and_two_schedulers_on_postgresql_run_the_day_once(
    postgres_url: str, ledger: DemoLedger, smtp_server: SmtpServer, day_env: dict[str, str],
    tmp_path: Path, processes: list[subprocess.Popen[bytes]],
) -> None:  # fmt: skip
    a_company(postgres_url, ledger)
    minute = the_days_schedule(Path(day_env["ENCOURS_DATA_DIR"]))
    logs = [tmp_path / name for name in ("worker1.log", "worker2.log", "schedule1.log", "schedule2.log")]
    for log in logs[:2]:
        processes.append(
            start(day_env, log, "worker", "--no-scheduler", "--concurrency", "2", "--db", postgres_url)
        )
    for log in logs[2:]:  # started together: both see the occurrences due at their first tick
        processes.append(start(day_env, log, "schedule", "--db", postgres_url))
    jobs = the_day_done(postgres_url, day_env, processes, logs)
    assert_the_day(postgres_url, jobs, minute, smtp_server)
    assert_the_forecast_uses_the_trained_model(postgres_url, day_env)
    ids = {j["kind"]: j["job_id"] for j in jobs if j["requested_by"] == "schedule"}
    lines = [f"scheduler: {job.name} of {minute.isoformat(timespec='minutes')} is job {ids[job.kind]}"
             for job in schedule.load(None).jobs]  # fmt: skip
    deadline = time.monotonic() + WAIT
    while not all(said(log, line) for log in logs[2:] for line in lines):  # both schedulers ticked ...
        assert time.monotonic() < deadline, [log.read_text() for log in logs[2:]]
        time.sleep(0.2)
    again = json.loads(encours(day_env, "jobs", "list", "--format", "json", "--db", postgres_url))
    assert [j["job_id"] for j in again] == [j["job_id"] for j in jobs]  # ... and queued each once
    assert all(process.poll() is None for process in processes)  # workers and schedulers alive
    left = query(postgres_url, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'encours.run_job'")
    assert left == [(0,)]  # every queue entry finished (and deleted)


def test_encours_serve_alone_runs_the_day_on_sqlite(
    sqlite_url: str, ledger: DemoLedger, smtp_server: SmtpServer, day_env: dict[str, str]
) -> None:
    a_company(sqlite_url, ledger)
    get_engine(sqlite_url).dispose()
    minute = the_days_schedule(Path(day_env["ENCOURS_DATA_DIR"]))
    with serving(sqlite_url, env=day_env) as served:
        log = Path(os.devnull)
        jobs = the_day_done(sqlite_url, day_env, [served.process], [log])
    assert_the_day(sqlite_url, jobs, minute, smtp_server)
    assert_the_forecast_uses_the_trained_model(sqlite_url, day_env)


@pytest.mark.postgres
def test_a_worker_without_the_scheduler_runs_a_tick_it_takes_from_the_queue(
    postgres_url: str, day_env: dict[str, str], tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    data = Path(day_env["ENCOURS_DATA_DIR"])
    data.mkdir()
    (data / "schedule.toml").write_text('[[job]]\nname = "pings"\nkind = "ping"\ncron = "* * * * *"\n')
    with unit_of_work(get_engine(postgres_url)) as session:  # what a worker with the scheduler defers
        session.execute(
            text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('encours', 'encours.schedule_tick', 0, NULL, "
                 "NULL, CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"),
            {"args": json.dumps({"timestamp": int(time.time())})},
        )  # fmt: skip
    log = tmp_path / "worker.log"
    processes.append(start(day_env, log, "worker", "--no-scheduler", "--db", postgres_url))
    jobs = the_day_done(postgres_url, day_env, processes, [log], occurrences=1)
    assert {(j["kind"], j["status"]) for j in jobs} == {("ping", "done")}  # the minutes looked back
    ticks = "SELECT status FROM procrastinate_jobs WHERE task_name = 'encours.schedule_tick'"
    assert query(postgres_url, ticks) == []  # the tick succeeded (and was deleted), not "task not found"
