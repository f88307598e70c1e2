"""Enqueueing and reading jobs: the public interface of the jobs package.

Services flush, the caller's unit of work commits, and a job starts only after that commit:
on PostgreSQL the queue entry is written in the same transaction (procrastinate's table),
on SQLite the in-process executor is handed the job when the session commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from encours.domain.errors import Conflict, InvalidInput, NotFound
from encours.jobs import dispatch, files
from encours.jobs.models import JobRow
from encours.jobs.registry import kind as known_kind
from encours.jobs.views import FINISHED, STATUSES, JobView, Status
from encours.storage.base import utcnow

JSON = Any
MAX_LIST = 1000


def view(row: JobRow, files_gone: bool = False) -> JobView:
    return JobView(
        job_id=row.id,
        kind=row.kind,
        status=cast(Status, row.status),
        attempts=row.attempts,
        queued_at=row.queued_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        progress_done=row.progress_done,
        progress_total=row.progress_total,
        progress_note=row.progress_note,
        result=row.result,
        params=dict(row.params or {}),
        requested_by=row.requested_by,
        parent_id=row.parent_id,
        files_gone=files_gone,
    )


def _views(session: Session, rows: Sequence[JobRow]) -> list[JobView]:
    """Views of ``rows``, knowing (in one query) which finished ones lost the files they read."""
    readers = {r.id for r in rows if r.status in FINISHED and files.needs_files(r.params or {})}
    gone = readers - files.holding(session, readers)
    return [view(row, row.id in gone) for row in rows]


def enqueue(
    session: Session, kind: str, params: dict[str, JSON], *, requested_by: str | None = None,
    dedupe_key: str | None = None, parent_id: int | None = None,
) -> JobView:  # fmt: skip
    """Queue a job of ``kind`` with JSON ``params``; it starts once the caller's transaction commits.

    ``dedupe_key`` makes the enqueue idempotent (a scheduled occurrence, a shard of a run):
    a second enqueue with the same key returns the job already there.
    """
    known_kind(kind)  # an unknown kind is refused now, not by a worker later
    if dedupe_key is not None:
        existing = session.scalar(select(JobRow).where(JobRow.dedupe_key == dedupe_key))
        if existing is not None:
            return view(existing)
    row = JobRow(
        kind=kind, params=params, requested_by=requested_by, dedupe_key=dedupe_key, parent_id=parent_id,
        status="queued", attempts=0, progress_done=0, progress_note="", cancel_requested=False, waiting=False,
    )  # fmt: skip
    if dedupe_key is None:
        session.add(row)
        session.flush()
    else:
        try:
            with session.begin_nested():  # another scheduler may have won the race
                session.add(row)
                session.flush()
        except IntegrityError:
            existing = session.scalar(select(JobRow).where(JobRow.dedupe_key == dedupe_key))
            if existing is None:
                raise
            return view(existing)
    dispatch.submit(session, row.id)
    return view(row)


def _row(session: Session, job_id: int) -> JobRow:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFound.because("no_job", field="job_id", job=job_id)
    return row


def get(session: Session, job_id: int) -> JobView:
    """One job; NotFound when there is none with this id."""
    row = _row(session, job_id)
    session.refresh(row)
    return _views(session, [row])[0]


def list_jobs(
    session: Session, *, kind: str | None = None, status: str | None = None, limit: int = 100,
    parent_id: int | None = None,
) -> list[JobView]:  # fmt: skip
    """The latest jobs first, optionally of one kind and status."""
    if status is not None and status not in STATUSES:
        raise InvalidInput.because(
            "unknown_job_status", field="status", status=status, expected=tuple(STATUSES)
        )
    query = select(JobRow).order_by(JobRow.id.desc()).limit(max(1, min(limit, MAX_LIST)))
    if kind is not None:
        query = query.where(JobRow.kind == kind)
    if status is not None:
        query = query.where(JobRow.status == status)
    if parent_id is not None:
        query = query.where(JobRow.parent_id == parent_id)
    return _views(session, list(session.scalars(query)))


def retry(session: Session, job_id: int, *, requested_by: str | None = None) -> JobView:
    """Queue a failed or cancelled job again (same id, same params; its attempts go on counting)."""
    row = _row(session, job_id)
    if row.status not in ("failed", "cancelled"):
        raise Conflict.because("job_not_retryable", job=job_id, status=row.status)
    if files.needs_files(row.params or {}) and not files.holding(session, [row.id]):
        raise Conflict.because("job_files_gone", job=job_id, days=files.KEPT_DAYS)
    row.waiting = False
    known_kind(row.kind)
    row.status = "queued"
    row.error = None
    row.finished_at = None
    row.cancel_requested = False
    row.progress_note = ""
    if requested_by is not None:
        row.requested_by = requested_by
    session.flush()
    dispatch.submit(session, row.id)
    return view(row)


def cancel(session: Session, job_id: int) -> JobView:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    row = _row(session, job_id)
    if row.status in FINISHED:
        raise Conflict.because("job_closed", job=job_id, status=row.status)
    if row.status == "queued":
        row.status = "cancelled"
        row.finished_at = utcnow()
        files.discard(session, row.id)
    row.cancel_requested = True
    session.flush()
    return view(row)


def queue_depth(session: Session) -> dict[tuple[str, str], int]:
    """How many jobs per (kind, status): the metrics' gauge and the health check."""
    rows = session.execute(
        select(JobRow.kind, JobRow.status, func.count()).group_by(JobRow.kind, JobRow.status)
    )
    return {(k, s): int(n) for k, s, n in rows}
