"""The PostgreSQL backend: procrastinate workers, on as many machines as wanted.

procrastinate gives each queued job to exactly one worker (``SELECT ... FOR UPDATE SKIP
LOCKED``), keeps a heartbeat per worker, and runs the periodic tasks once across all
workers. Encours adds two periodic tasks: ``recover_stalled`` puts back in the queue the
jobs of a worker whose heartbeat is older than ``ENCOURS_JOBS_LEASE`` (killed, unplugged),
so another worker finishes them; ``schedule_tick`` starts the recurring jobs of
``schedule.toml`` (``encours.jobs.schedule``) every minute.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import procrastinate
from sqlalchemy import Engine, make_url

from encours.jobs import dispatch, schedule
from encours.jobs.runner import run_job, worker_name
from encours.settings import Settings

log = logging.getLogger(__name__)


def conninfo(engine: Engine) -> str:
    """libpq's form of the SQLAlchemy URL (``postgresql+psycopg://`` -> ``postgresql://``)."""
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def make_app(engine: Engine, settings: Settings, *, scheduler: bool = True) -> procrastinate.App:
    """The procrastinate app of this database: one task runs any Encours job by id."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(engine), min_size=1, max_size=4)
    )

    @app.task(name=dispatch.RUN_TASK, queue=dispatch.QUEUE)
    def run(job_id: int) -> None:
        # a job left running by a dead worker is taken over: procrastinate gave it to us alone
        run_job(engine, settings, job_id, from_running=True)

    lease = settings.jobs_lease

    @app.periodic(cron="*/5 * * * * *", periodic_id="recover")
    @app.task(name="encours.recover_stalled", queue=dispatch.QUEUE, queueing_lock="encours.recover_stalled")
    async def recover_stalled(timestamp: int) -> None:
        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=lease)
        for job in stalled:
            log.warning("job %s of a stalled worker goes back to the queue", job.id)
            await app.job_manager.retry_job(job)

    # every worker knows the tick, so one started with --no-scheduler that takes it from the
    # queue runs it (else procrastinate fails it, "task not found", and that minute is lost);
    # only the workers with the scheduler defer it each minute
    @app.task(name="encours.schedule_tick", queue=dispatch.QUEUE, queueing_lock="encours.schedule_tick")
    def schedule_tick(timestamp: int) -> None:
        schedule.tick(engine, settings, timestamp)

    if scheduler:
        app.periodic(cron="* * * * *", periodic_id="schedule")(schedule_tick)

    return app


def run_worker(engine: Engine, settings: Settings, *, concurrency: int = 1, scheduler: bool = True) -> None:
    """``encours worker`` on PostgreSQL: take jobs until stopped (SIGINT/SIGTERM finish the job first)."""
    app = make_app(engine, settings, scheduler=scheduler)
    options: dict[str, Any] = {
        "concurrency": concurrency,
        "name": worker_name(),
        "queues": [dispatch.QUEUE],
        "update_heartbeat_interval": max(0.5, settings.jobs_lease / 3),
        "stalled_worker_timeout": settings.jobs_lease,
        "delete_jobs": "successful",
    }

    async def main() -> None:
        async with app.open_async():
            await app.run_worker_async(**options)

    asyncio.run(main())
