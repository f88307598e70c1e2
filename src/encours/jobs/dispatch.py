"""Handing a queued job to the backend that will run it, after the caller's commit.

PostgreSQL (``ENCOURS_JOBS_BACKEND`` ``auto`` or ``queue``): a procrastinate job is inserted
in the caller's transaction, so it exists exactly when the job row does and a worker on
any machine takes it. Otherwise (SQLite, or ``inprocess``): the job id is handed to this
process's executor when the session commits.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from encours.settings import Settings, get_settings

QUEUE = "encours"
RUN_TASK = "encours.run_job"
_PENDING = "encours.jobs.pending"
_LISTENING = "encours.jobs.listening"

_settings: Settings | None = None  # set by the edges (configure); else read when first needed
_run_here = True


def configure(settings: Settings, *, run_here: bool = True) -> None:
    """The settings of this process's jobs: the backend (``ENCOURS_JOBS_BACKEND``) and what jobs run with.

    ``run_here`` False (short CLI commands): in-process jobs are left queued for the processes
    that poll for them (``encours serve`` and ``encours worker`` on SQLite), instead of
    keeping the command running until they finish.
    """
    global _settings, _run_here
    _settings = settings
    _run_here = run_here


def current_settings() -> Settings:
    return _settings if _settings is not None else get_settings()


def uses_queue(dialect: str) -> bool:
    """``auto``: the queue on PostgreSQL, in-process on SQLite; ``queue`` or ``inprocess`` to force."""
    return dialect == "postgresql" and current_settings().jobs_backend != "inprocess"


def submit(session: Session, job_id: int) -> None:
    """Make ``job_id`` runnable once ``session`` commits (never before, never if it rolls back)."""
    if uses_queue(session.get_bind().dialect.name):
        session.execute(
            text(
                "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
                "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
            ),
            {"queue": QUEUE, "task": RUN_TASK, "args": json.dumps({"job_id": job_id})},
        )
        return
    if not _run_here:
        return
    if not session.info.get(_LISTENING):
        session.info[_LISTENING] = True
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
    session.info.setdefault(_PENDING, []).append(job_id)


def _after_commit(session: Session) -> None:
    from encours.jobs import inprocess  # the executor imports the runner, which imports this

    ids = session.info.pop(_PENDING, [])
    if ids:
        bind = session.get_bind()
        inprocess.executor(bind if isinstance(bind, Engine) else bind.engine).submit(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
