"""The jobs interface on SQLite, in-process: enqueue after commit, progress, outcome, retry, cancel."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from encours.domain.errors import BadRequest, Conflict, NotFound
from encours.jobs import inprocess, service
from encours.jobs.registry import JobContext, job_kind
from encours.storage.database import get_engine, unit_of_work

RELEASE = threading.Event()
CALLS: list[Any] = []  # the values of the echo jobs that ran


@job_kind("test_echo")
def echo(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Echoes its params after reporting progress (a test kind)."""
    CALLS.append(params.get("value"))
    for done in range(1, 4):
        context.progress(done, 3, f"step {done}")
    if params.get("fail"):
        raise RuntimeError("asked to fail")
    return {"echo": params.get("value"), "attempt": context.attempt}


@job_kind("test_wait")
def wait_for_release(context: JobContext, params: dict[str, Any]) -> None:
    """Waits until the test releases it, reporting progress (so a cancel is seen)."""
    while not RELEASE.wait(0.05):
        context.progress(1, 2, "waiting")


def test_a_job_runs_after_the_commit_and_records_its_result(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    with unit_of_work(engine) as session:
        job = service.enqueue(session, "test_echo", {"value": 7}, requested_by="alice@example.com")
        assert job.status == "queued"
        inprocess.wait_idle(engine)
        assert 7 not in CALLS  # not started inside the caller's transaction
    inprocess.wait_idle(engine)
    with unit_of_work(engine) as session:
        done = service.get(session, job.job_id)
    assert (done.status, done.attempts, done.result) == ("done", 1, {"echo": 7, "attempt": 1})
    assert (done.progress_done, done.progress_total, done.requested_by) == (3, 3, "alice@example.com")
    assert done.started_at is not None and done.finished_at is not None and done.error is None
    assert done.as_json()["status"] == "done"


def test_a_rolled_back_enqueue_never_runs(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        job = service.enqueue(session, "test_echo", {"value": "rolled back"})
        raise RuntimeError("caller fails")
    inprocess.wait_idle(engine)
    assert "rolled back" not in CALLS
    with unit_of_work(engine) as session, pytest.raises(NotFound):
        service.get(session, job.job_id)


def test_a_failed_job_says_why_and_is_retried_with_one_more_attempt(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    with unit_of_work(engine) as session:
        job = service.enqueue(session, "test_echo", {"fail": True})
    inprocess.wait_idle(engine)
    with unit_of_work(engine) as session:
        failed = service.get(session, job.job_id)
        assert (failed.status, failed.error) == ("failed", "RuntimeError: asked to fail")
        with pytest.raises(Conflict):
            service.cancel(session, job.job_id)
        service.retry(session, job.job_id)
    inprocess.wait_idle(engine)
    with unit_of_work(engine) as session:
        again = service.get(session, job.job_id)
        assert (again.status, again.attempts) == ("failed", 2)
        assert [j.job_id for j in service.list_jobs(session, status="failed")] == [job.job_id]
        assert service.list_jobs(session, kind="test_wait") == []


def test_cancel_stops_a_running_job_at_its_next_progress(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    RELEASE.clear()
    with unit_of_work(engine) as session:
        job = service.enqueue(session, "test_wait", {})
    with unit_of_work(engine) as session:
        while service.get(session, job.job_id).status != "running":
            threading.Event().wait(0.05)
        assert service.cancel(session, job.job_id).status == "running"
    inprocess.wait_idle(engine)
    RELEASE.set()
    with unit_of_work(engine) as session:
        cancelled = service.get(session, job.job_id)
        assert cancelled.status == "cancelled"
        with pytest.raises(Conflict):
            service.cancel(session, job.job_id)


def test_unknown_kinds_and_ids_are_refused(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    with unit_of_work(engine) as session:
        with pytest.raises(BadRequest):
            service.enqueue(session, "no_such_kind", {})
        with pytest.raises(NotFound):
            service.get(session, 12345)


def test_a_dedupe_key_enqueues_once(sqlite_url: str) -> None:
    engine = get_engine(sqlite_url)
    with unit_of_work(engine) as session:
        first = service.enqueue(session, "test_echo", {"value": 1}, dedupe_key="k1")
        second = service.enqueue(session, "test_echo", {"value": 2}, dedupe_key="k1")
    assert first.job_id == second.job_id
    inprocess.wait_idle(engine)
    with unit_of_work(engine) as session:
        assert len(service.list_jobs(session)) == 1
