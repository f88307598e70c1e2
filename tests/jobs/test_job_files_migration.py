"""0611_job_files: the table the model describes, on SQLite and PostgreSQL; a job's files go
with the job (deleted when it is cancelled or ends, and by the database with the job row)."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete

from encours.domain.errors import InvalidInput
from encours.jobs import dispatch, files, service
from encours.jobs.models import JobFileRow, JobRow
from encours.schema import Base
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.web import job_kinds

assert "ping" in job_kinds.kinds()


def _mentions_job_files(diff: Any) -> bool:
    item = diff[0] if isinstance(diff, list) else diff
    return any(
        JobFileRow.__tablename__ in str(getattr(getattr(p, "table", None), "name", p)) for p in item[1:]
    )


def test_schema_matches_the_model(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert [d for d in compare_metadata(context, Base.metadata) if _mentions_job_files(d)] == []


def test_files_come_back_as_given_and_go_with_their_job(db_url: str) -> None:
    dispatch.configure(Settings(), run_here=False)  # the pings stay queued: nothing ends them here
    engine = get_engine(db_url)
    payload = bytes(range(256)) * 10  # every byte value, binary-safe
    with unit_of_work(engine) as session:
        job = service.enqueue(session, "ping", {})
        files.attach(
            session, job.job_id, [files.JobFile("a.bin", payload), files.JobFile("b.txt", b"x")], limit=10_000
        )
    with unit_of_work(engine) as session:
        assert files.read(session, job.job_id) == [
            files.JobFile("a.bin", payload),
            files.JobFile("b.txt", b"x"),
        ]
        other = service.enqueue(session, "ping", {}).job_id
        files.attach(session, other, [files.JobFile("c", b"c")], limit=10)
    with unit_of_work(engine) as session:
        session.execute(delete(JobRow).where(JobRow.id == other))  # the database drops them with their job
    with unit_of_work(engine) as session:
        assert files.count(session, other) == 0
        with pytest.raises(InvalidInput, match="upload limit"):
            files.attach(session, job.job_id, [files.JobFile("big", b"12345")], limit=4)
    with unit_of_work(engine) as session:
        service.cancel(session, job.job_id)  # a queued job cancelled: its files are no longer needed
    with unit_of_work(engine) as session:
        assert files.count(session) == 0
