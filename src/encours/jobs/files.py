"""Files a job reads, kept in the database beside the job (SPEC §12: workers on several hosts).

An upload written to the web host's disk is out of reach of a worker on another machine;
its bytes stored here are read by whichever worker takes the job. They are deleted in the
transaction that finishes the job: done, cancelled, or failed because its content was refused
(the same files would be refused again). A job that failed for another reason (the database
restarted, a bug) keeps them for KEPT_DAYS, so a manager's retry imports them; after that, or
once they are gone, a retry is refused and the files must be uploaded again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from encours.domain.errors import InvalidInput
from encours.jobs.models import JobFileRow, JobRow
from encours.storage.base import utcnow

MAX_NAME = 255
KEPT_DAYS = 7  # the files of a job that failed unexpectedly wait this long for a retry
ATTACHED = "files"  # the job's params say how many files it was given


class JobFile(NamedTuple):
    name: str
    data: bytes


def attach(session: Session, job_id: int, files: Sequence[JobFile], *, limit: int) -> None:
    """Keep ``files`` for job ``job_id``; more than ``limit`` bytes in all is refused."""
    if sum(len(f.data) for f in files) > limit:
        raise InvalidInput("the files are larger than the upload limit", field="files")
    for position, file in enumerate(files):
        session.add(JobFileRow(job_id=job_id, position=position, name=file.name[:MAX_NAME],
                               size=len(file.data), data=file.data))  # fmt: skip
    job = session.get(JobRow, job_id)
    if job is not None:
        job.params = {**(job.params or {}), ATTACHED: len(files)}
    session.flush()


def needs_files(params: Mapping[str, Any]) -> bool:
    """Whether the job reads files kept here (it cannot run again without them)."""
    return bool(params.get(ATTACHED))


def holding(session: Session, job_ids: Collection[int]) -> set[int]:
    """Those of ``job_ids`` whose files are still kept."""
    if not job_ids:
        return set()
    query = select(JobFileRow.job_id).where(JobFileRow.job_id.in_(job_ids)).distinct()
    return set(session.scalars(query))


def read(session: Session, job_id: int) -> list[JobFile]:
    """The job's files in the order they were given."""
    query = select(JobFileRow.name, JobFileRow.data).where(JobFileRow.job_id == job_id)
    rows = session.execute(query.order_by(JobFileRow.position))
    return [JobFile(name, bytes(data)) for name, data in rows]


def count(session: Session, job_id: int | None = None) -> int:
    """How many files are kept (for one job, or for all)."""
    query = select(func.count()).select_from(JobFileRow)
    if job_id is not None:
        query = query.where(JobFileRow.job_id == job_id)
    return int(session.scalar(query) or 0)


def discard(session: Session, job_id: int) -> None:
    """The job finished: its files are no longer needed."""
    session.execute(delete(JobFileRow).where(JobFileRow.job_id == job_id))


def expire(session: Session, now: dt.datetime | None = None) -> None:
    """The files of jobs that failed more than KEPT_DAYS ago, never retried, are deleted."""
    limit = (now or utcnow()) - dt.timedelta(days=KEPT_DAYS)
    stale = select(JobRow.id).where(JobRow.status == "failed", JobRow.finished_at < limit)
    session.execute(delete(JobFileRow).where(JobFileRow.job_id.in_(stale)))
