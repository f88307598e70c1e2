"""Files a job reads, kept in the database beside the job (SPEC §12: workers on several hosts).

An upload written to the web host's disk is out of reach of a worker on another machine;
its bytes stored here are read by whichever worker takes the job. They are deleted in the
transaction that finishes the job (done, failed or cancelled), so they never outlive it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from encours.domain.errors import InvalidInput
from encours.jobs.models import JobFileRow

MAX_NAME = 255


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
    session.flush()


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
