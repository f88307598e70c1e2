"""Running one job, whichever backend took it: claim, run its kind, record the outcome.

Every step commits on its own: the claim (status ``running``, one more attempt), each
progress report (throttled), and the outcome, so the UI sees a job move and a worker that
dies leaves the row ``running`` with an old heartbeat for the next worker to take over.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any

from sqlalchemy import Engine, update

from encours.domain.errors import EncoursError
from encours.jobs.models import JobRow
from encours.jobs.registry import JobCancelled, JobContext, kind
from encours.settings import Settings
from encours.storage.base import utcnow
from encours.storage.database import unit_of_work

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between two progress commits (the last one always lands)
MAX_ERROR = 2000


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(engine: Engine, job_id: int, *, from_running: bool) -> bool:
    """Mark the job running for this process; False when it is not ours to run.

    ``from_running``: the queue (procrastinate) guarantees one worker per job, so a job left
    ``running`` by a dead worker is taken over; the in-process executor takes only queued jobs
    (its lease reaper puts back those of dead processes).
    """
    allowed = ("queued", "running") if from_running else ("queued",)
    now = utcnow()
    with unit_of_work(engine) as session:
        claimed = session.connection().execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_(allowed), JobRow.cancel_requested.is_(False))
            .values(status="running", attempts=JobRow.attempts + 1, started_at=now, heartbeat_at=now,
                    finished_at=None, error=None, worker=worker_name())
        ).rowcount  # fmt: skip
    return bool(claimed)


class _Progress:
    """Commits progress at most every PROGRESS_EVERY seconds; answers whether to stop."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int | None, note: str) -> bool:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and (total is None or done < total):
            return False
        self.last = now
        with unit_of_work(self.engine) as session:
            row = session.get(JobRow, self.job_id)
            if row is None:
                return True
            row.progress_done = done
            row.progress_total = total
            row.progress_note = note[:255]
            row.heartbeat_at = utcnow()
            return row.cancel_requested


def _finish(
    engine: Engine, job_id: int, status: str, *, result: Any = None, error: str | None = None
) -> None:
    with unit_of_work(engine) as session:
        row = session.get(JobRow, job_id)
        if row is None:
            return
        row.status = status
        row.finished_at = utcnow()
        row.error = error[:MAX_ERROR] if error else None
        if status == "done":
            row.result = result
            if row.progress_total is not None:
                row.progress_done = row.progress_total


def run_job(engine: Engine, settings: Settings, job_id: int, *, from_running: bool = False) -> str | None:
    """Run job ``job_id`` if it is ours; returns its final status (None: not run here)."""
    if not claim(engine, job_id, from_running=from_running):
        return None
    with unit_of_work(engine) as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        job_kind, params, attempt = row.kind, dict(row.params or {}), row.attempts
    context = JobContext(job_id, engine, settings, attempt, _Progress(engine, job_id))
    try:
        result = kind(job_kind).function(context, params)
    except JobCancelled:
        _finish(engine, job_id, "cancelled", error="cancelled")
        return "cancelled"
    except EncoursError as refusal:
        _finish(engine, job_id, "failed", error=str(refusal))
        return "failed"
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job_kind)
        _finish(engine, job_id, "failed", error=f"{type(exc).__name__}: {exc}")
        return "failed"
    _finish(engine, job_id, "done", result=result)
    return "done"
