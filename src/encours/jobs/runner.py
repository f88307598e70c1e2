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
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from encours.domain.errors import EncoursError
from encours.jobs import files
from encours.jobs.models import JobRow
from encours.jobs.registry import JobCancelled, JobContext, JobFailed, kind
from encours.jobs.views import FINISHED
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


def _spawner(engine: Engine, job_id: int) -> Callable[[str, dict[str, Any], str], int]:
    def spawn(kind_name: str, params: dict[str, Any], key: str) -> int:
        from encours.jobs import service  # service -> dispatch -> inprocess -> runner

        with unit_of_work(engine) as session:
            child = service.enqueue(
                session, kind_name, params, dedupe_key=f"job{job_id}:{key}", parent_id=job_id
            )
            if child.status in ("failed", "cancelled"):
                child = service.retry(session, child.job_id)
        return child.job_id

    return spawn


def _open_children(session: Session, job_id: int) -> tuple[int, list[JobRow]]:
    children = list(session.scalars(select(JobRow).where(JobRow.parent_id == job_id).order_by(JobRow.id)))
    return sum(1 for c in children if c.status not in FINISHED), children


def _locked(session: Session, job_id: int) -> JobRow | None:
    return session.scalars(select(JobRow).where(JobRow.id == job_id).with_for_update()).first()


def _settle(row: JobRow, children: list[JobRow]) -> None:
    """Every sub-job finished: the job is done when all are, failed otherwise."""
    failed = [c for c in children if c.status != "done"]
    row.status = "failed" if failed else "done"
    row.waiting = False
    row.progress_note = ""
    row.finished_at = utcnow()
    row.error = (
        f"{len(failed)} of {len(children)} parts failed: {failed[0].error}"[:MAX_ERROR] if failed else None
    )
    row.result = {**(row.result or {}), "parts": [{"job_id": c.id, "status": c.status, "result": c.result}
                                                  for c in children]}  # fmt: skip


def _settle_parent(engine: Engine, parent_id: int) -> None:
    """A sub-job finished: when it was the last and its parent is waiting, the parent ends."""
    with unit_of_work(engine) as session:
        parent = _locked(session, parent_id)
        if parent is None or not parent.waiting:
            return
        still_open, children = _open_children(session, parent_id)
        if not still_open:
            _settle(parent, children)


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
            if row.parent_id is not None:
                _sum_into_parent(session, row.parent_id)
            return row.cancel_requested


def _sum_into_parent(session: Session, parent_id: int) -> None:
    """A parent's progress is its parts' progress added up."""
    session.flush()
    done, total = session.execute(
        select(func.coalesce(func.sum(JobRow.progress_done), 0), func.sum(JobRow.progress_total))
        .where(JobRow.parent_id == parent_id)
    ).one()  # fmt: skip
    session.execute(
        update(JobRow).where(JobRow.id == parent_id).values(progress_done=done, progress_total=total)
    )


def _finish(
    engine: Engine, job_id: int, status: str, *, result: Any = None, error: str | None = None,
    keep_files: bool = False,
) -> None:  # fmt: skip
    """``keep_files``: it failed unexpectedly, so a retry may need the files it read (``files``)."""
    parent_id = None
    with unit_of_work(engine) as session:
        row = _locked(session, job_id)
        if row is None:
            return
        parent_id = row.parent_id
        if not keep_files:  # its function ended: the files it read are no longer needed
            files.discard(session, job_id)
        files.expire(session)
        if status == "done":
            still_open, children = _open_children(session, job_id)
            if children:  # it started sub-jobs: it ends with them
                row.result = result
                row.waiting = bool(still_open)
                if still_open:
                    row.progress_note = f"waiting for {still_open} of {len(children)} parts"
                else:
                    _settle(row, children)
                return
        row.status = status
        row.finished_at = utcnow()
        row.error = error[:MAX_ERROR] if error else None
        if result is not None:
            row.result = result
        if status == "done" and row.progress_total is not None:
            row.progress_done = row.progress_total
        if parent_id is not None:
            _sum_into_parent(session, parent_id)
    if parent_id is not None:
        _settle_parent(engine, parent_id)


def refusal_result(refusal: EncoursError) -> dict[str, Any] | None:
    """A coded refusal's sentences, so the job's page says why in the reader's language."""
    if refusal.code is None:
        return None
    return {"refusal": {"code": refusal.code, "fr": refusal.said_in("fr"), "en": refusal.said_in("en")}}


def run_job(engine: Engine, settings: Settings, job_id: int, *, from_running: bool = False) -> str | None:
    """Run job ``job_id`` if it is ours; returns its final status (None: not run here)."""
    if not claim(engine, job_id, from_running=from_running):
        return None
    with unit_of_work(engine) as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        job_kind, params, attempt = row.kind, dict(row.params or {}), row.attempts
    context = JobContext(
        job_id, engine, settings, attempt, _Progress(engine, job_id), _spawner(engine, job_id)
    )
    try:
        result = kind(job_kind).function(context, params)
    except JobCancelled:
        _finish(engine, job_id, "cancelled", error="cancelled")
        return "cancelled"
    except JobFailed as failure:
        _finish(engine, job_id, "failed", error=failure.message, result=failure.result)
        return "failed"
    except EncoursError as refusal:
        _finish(engine, job_id, "failed", error=str(refusal), result=refusal_result(refusal))
        return "failed"
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job_kind)
        _finish(engine, job_id, "failed", error=f"{type(exc).__name__}: {exc}", keep_files=True)
        return "failed"
    _finish(engine, job_id, "done", result=result)
    return "done"
