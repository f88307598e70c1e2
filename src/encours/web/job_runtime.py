"""The web process's part in running jobs: on SQLite (in-process), it runs them itself.

With the embedded database there is no worker to start: each ``encours serve`` process polls
the job table (a job is claimed by one process only) and runs the scheduler of
``schedule.toml``, so ``bash scripts/run.sh`` runs imports, figures, dunning runs and the
digest with no other command. On PostgreSQL the web processes only queue jobs: ``encours
worker`` processes run them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from encours.jobs import dispatch, inprocess, schedule
from encours.web import job_kinds

__all__ = ["job_kinds", "lifespan"]


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine, settings = app.state.engine, app.state.settings
    stops = []
    database = engine.url.database
    if not dispatch.uses_queue(engine.dialect.name) and database and database != ":memory:":
        stops.append(inprocess.executor(engine, lease=settings.jobs_lease).start_polling())
        stops.append(schedule.start(engine, settings))
    try:
        yield
    finally:
        for stop in stops:
            stop.set()
