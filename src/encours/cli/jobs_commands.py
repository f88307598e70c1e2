"""`encours jobs list|show|retry|cancel|run`, `encours worker` and `encours schedule` (SPEC §12)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
from typing import Annotated, Any

import typer

from encours.cli.context import DbOption, engine_for, fail, session_for
from encours.cli.output import print_document, print_table
from encours.jobs import dispatch, inprocess, registry, schedule, service
from encours.jobs.views import JobView
from encours.settings import Settings, get_settings

jobs_app = typer.Typer(help="Jobs: imports, dunning runs, training, figures and digests run by workers.")

FormatOption = Annotated[str, typer.Option("--format", help="table or json.")]
JobId = Annotated[int, typer.Argument(help="The job's id (encours jobs list).")]


def _setup(*, run_here: bool = False, kinds: bool = False) -> Settings:
    """The settings, for this process's jobs; ``kinds``: the job kinds too (to queue or run jobs),
    left out when only reading, since they pull in every area of the app."""
    settings = get_settings()
    if kinds:
        from encours.web import job_kinds  # noqa: F401 - registers the kinds

    dispatch.configure(settings, run_here=run_here)
    return settings


def _check_format(output: str) -> None:
    if output not in ("table", "json"):
        fail(f"--format: expected table or json, got {output!r}")


def _progress(job: JobView) -> str:
    if job.percent is not None:
        return f"{job.percent}%"
    return str(job.progress_done or "")


def _print(jobs: list[JobView], output: str, title: str) -> None:
    if output == "json":
        print_document([j.as_json() for j in jobs])
        return
    print_table(
        title,
        ["job", "kind", "status", "attempts", "queued", "progress", "error"],
        [[j.job_id, j.kind, j.status, j.attempts, j.queued_at.isoformat(timespec="seconds"), _progress(j),
          (j.error or "")[:80]] for j in jobs],
    )  # fmt: skip


@jobs_app.command("list")
def list_command(
    kind: Annotated[str | None, typer.Option("--kind", help="Only jobs of this kind.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="queued, running, done, failed, cancelled.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=service.MAX_LIST)] = 100,
    output: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """The latest jobs first, with their status, attempts and progress."""
    _check_format(output)
    _setup()
    with session_for(db) as session:
        jobs = service.list_jobs(session, kind=kind, status=status, limit=limit)
    _print(jobs, output, f"{len(jobs)} jobs")


@jobs_app.command("show")
def show_command(job_id: JobId, output: FormatOption = "json", db: DbOption = None) -> None:
    """One job with its progress, result and error (JSON by default)."""
    _check_format(output)
    _setup()
    with session_for(db) as session:
        job = service.get(session, job_id)
    if output == "json":
        print_document(job.as_json())
    else:
        _print([job], output, f"job {job_id}")


@jobs_app.command("retry")
def retry_command(job_id: JobId, db: DbOption = None) -> None:
    """Queue a failed or cancelled job again (a worker or the server takes it)."""
    _setup(kinds=True)
    with session_for(db) as session:
        job = service.retry(session, job_id, requested_by="cli")
    typer.echo(f"job {job.job_id} ({job.kind}) queued again")


@jobs_app.command("cancel")
def cancel_command(job_id: JobId, db: DbOption = None) -> None:
    """Cancel a queued job, or ask a running one to stop at its next progress report."""
    _setup()
    with session_for(db) as session:
        job = service.cancel(session, job_id)
    state = "cancelled" if job.status == "cancelled" else "asked to stop"
    typer.echo(f"job {job.job_id} ({job.kind}) {state}")


def _params(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; a value is read as JSON when it parses (true, 3, "x"), else as text."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--param: expected key=value, got {pair!r}")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@jobs_app.command("run")
def run_command(
    kind: Annotated[str, typer.Argument(help="A job kind, e.g. ping, dunning_run, figures, model_training.")],
    param: Annotated[list[str] | None, typer.Option("--param", help="key=value (repeatable).")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Run it in this process and wait (SQLite).")] = False,
    db: DbOption = None,
) -> None:
    """Queue a job by hand, e.g. `encours jobs run dunning_run --param dry_run=true`."""
    _setup(run_here=wait, kinds=True)
    engine = engine_for(db)
    with session_for(db) as session:
        job = service.enqueue(session, kind, _params(param or []), requested_by="cli")
    typer.echo(f"job {job.job_id} ({job.kind}) queued")
    if wait and not dispatch.uses_queue(engine.dialect.name):
        inprocess.wait_idle(engine, timeout=None)
        with session_for(db) as session:
            done = service.get(session, job.job_id)
        typer.echo(f"job {done.job_id} {done.status}" + (f": {done.error}" if done.error else ""))
        if done.status != "done":
            raise typer.Exit(1)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def worker(
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, max=64, help="Jobs at once.")] = 1,
    scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Also start the jobs of schedule.toml.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Take and run jobs until stopped (SIGTERM/SIGINT); start as many as wanted, on any host.

    PostgreSQL: a procrastinate worker (heartbeats, the stalled jobs of dead workers taken
    over after ENCOURS_JOBS_LEASE). SQLite: polls the job table of this database file.
    """
    settings = _setup(run_here=True, kinds=True)
    engine = engine_for(db)
    typer.echo(f"worker: {', '.join(registry.kinds())}; concurrency {concurrency}", err=True)
    if scheduler:
        schedule.check_kinds(schedule.load(settings.data_dir))
    if dispatch.uses_queue(engine.dialect.name):
        from encours.jobs.queue import run_worker

        run_worker(engine, settings, concurrency=concurrency, scheduler=scheduler)
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    executor = inprocess.executor(engine, concurrency, settings.jobs_lease)
    polling = executor.start_polling()
    ticking = schedule.start(engine, settings) if scheduler else None
    stop.wait()
    polling.set()
    if ticking is not None:
        ticking.set()
    executor.stop(wait=True)  # the jobs in hand finish first


def schedule_command(
    show: Annotated[
        bool, typer.Option("--show", help="Print when each recurring job runs next, and exit.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Start the recurring jobs of ENCOURS_DATA_DIR/schedule.toml (Europe/Paris time) until stopped.

    Workers run this scheduler themselves unless started with --no-scheduler; several
    schedulers are harmless (each occurrence is queued once).
    """
    settings = _setup(kinds=True)
    plan = schedule.load(settings.data_dir)
    schedule.check_kinds(plan)
    if show:
        upcoming = schedule.next_runs(plan, dt.datetime.now(dt.UTC), 3)
        rows = [
            [j.name, j.kind, j.cron, "yes" if j.working_days else "no",
             ", ".join(t.isoformat(timespec="minutes") for t in upcoming[j.name])]
            for j in plan.jobs
        ]  # fmt: skip
        print_table(
            f"Schedule ({plan.source}, {plan.zone.key})",
            ["name", "kind", "cron", "working days", "next"],
            rows,
        )
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    typer.echo(f"scheduler: {plan.source}, {len(plan.jobs)} recurring jobs", err=True)
    schedule.run_forever(engine_for(db), settings, stop, _say_started)


def _say_started(started: schedule.Started) -> None:
    """What the scheduler's log shows: each occurrence and its job (queued by this one or another)."""
    at = started.at.isoformat(timespec="minutes")
    typer.echo(f"scheduler: {started.name} of {at} is job {started.job_id}", err=True)
