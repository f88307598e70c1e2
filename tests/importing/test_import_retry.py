"""Retrying a failed browser import: its files are kept when it failed unexpectedly (the database
restarted), so a manager's retry imports them; a refused file, a cancelled import or files kept
longer than KEPT_DAYS are gone, and then the retry is refused with the reason, by the service,
the CLI and the API alike (the pages, in tests/web/test_import_retry_page.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from tests.conftest import invoke
from tests.einvoicing.conftest import CUSTOMERS
from tests.importing.test_import_job import STATEMENTS, finished, settings, upload, work_off
from typer.testing import CliRunner

from encours.domain.errors import Conflict
from encours.importing import jobs as import_jobs
from encours.jobs import files, service
from encours.jobs.models import JobRow
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work

__all__ = ["settings"]  # the fixture, shared with the import job's tests


def failing_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first file imported meets a database that went away (as during a restart)."""
    real: Callable[..., Any] = import_jobs.import_one
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))
        return real(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "import_one", flaky)


def test_an_import_that_failed_unexpectedly_keeps_its_files_and_a_retry_imports_them(
    db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_once(monkeypatch)
    job_id = upload(db_url, {"clients.csv": CUSTOMERS.encode()})
    work_off(db_url, settings)
    failed = finished(db_url, job_id)
    assert failed.status == "failed" and failed.error is not None and "OperationalError" in failed.error
    assert failed.retryable and failed.as_json()["retryable"] is True
    with unit_of_work(get_engine(db_url)) as session:
        assert files.count(session, job_id) == 1
        service.retry(session, job_id, requested_by="manager")
    work_off(db_url, settings)
    done = finished(db_url, job_id)
    assert done.status == "done", done.error
    assert done.attempts == 2 and done.result["files"][0]["status"] == "imported"
    with unit_of_work(get_engine(db_url)) as session:
        assert files.count(session, job_id) == 0  # the job ended: its files too


def refused_retry(url: str, job_id: int) -> Conflict:
    with unit_of_work(get_engine(url)) as session, pytest.raises(Conflict) as refused:
        service.retry(session, job_id)
    return refused.value


def test_a_refused_upload_keeps_no_file_and_offers_no_retry_saying_why(
    db_url: str, settings: Settings, cli: CliRunner
) -> None:
    job_id = upload(db_url, {"abnamro.sta": STATEMENTS["abnamro.sta"]})  # its balances do not add up
    work_off(db_url, settings)
    job = finished(db_url, job_id)
    assert job.status == "failed" and job.files_gone and not job.retryable
    with unit_of_work(get_engine(db_url)) as session:
        assert files.count(session, job_id) == 0
        assert [j.retryable for j in service.list_jobs(session, kind="import_file")] == [False]
    assert refused_retry(db_url, job_id).code == "job_files_gone"
    code, _, err = invoke(cli, "jobs", "retry", str(job_id), "--db", db_url)
    assert code == 2 and "no longer kept" in err and "upload them again" in err
    assert finished(db_url, job_id).status == "failed"  # the refused retry changed nothing


def test_a_cancelled_upload_is_not_retried_and_old_kept_files_expire(
    db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cancelled = upload(db_url, {"clients.csv": CUSTOMERS.encode()})
    with unit_of_work(get_engine(db_url)) as session:
        service.cancel(session, cancelled)
    assert refused_retry(db_url, cancelled).code == "job_files_gone"
    failing_once(monkeypatch)
    old = upload(db_url, {"clients.csv": CUSTOMERS.encode()})
    work_off(db_url, settings)
    assert finished(db_url, old).retryable
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=files.KEPT_DAYS + 1)
    with unit_of_work(get_engine(db_url)) as session:
        session.execute(update(JobRow).where(JobRow.id == old).values(finished_at=long_ago))
        service.enqueue(session, "ping", {})
    work_off(db_url, settings)  # any job that ends clears the files kept too long
    assert not finished(db_url, old).retryable
    assert refused_retry(db_url, old).code == "job_files_gone"
