"""The embedded backend: jobs run in threads of the process that queued them (SQLite default).

Same rows, same runner as the PostgreSQL queue. A job is claimed by an atomic
``UPDATE ... WHERE status = 'queued'``, so several processes on one SQLite file never run it
twice. A running job's heartbeat is refreshed while it runs; a job whose heartbeat is older
than the lease (its process died) is put back in the queue by any polling executor
(``encours worker`` or ``encours serve`` on SQLite).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from sqlalchemy import Engine, select, update

from encours.jobs.dispatch import current_settings
from encours.jobs.models import JobRow
from encours.jobs.runner import run_job
from encours.storage.base import utcnow
from encours.storage.database import unit_of_work

log = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 2
HEARTBEAT_EVERY = 5.0  # seconds
DEFAULT_LEASE = 30.0  # a heartbeat older than this: the process is dead, the job goes back to the queue

_executors: dict[str, Executor] = {}
_lock = threading.Lock()


class Executor:
    """A pool of threads running this process's jobs, with their heartbeats."""

    def __init__(
        self, engine: Engine, concurrency: int = DEFAULT_CONCURRENCY, lease: float = DEFAULT_LEASE
    ) -> None:
        self.engine = engine
        self.lease = lease
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="encours-job")
        self.concurrency = concurrency
        self.running: set[int] = set()
        self.futures: set[Future[str | None]] = set()
        self.guard = threading.Lock()
        self.stopping = threading.Event()
        self.beater: threading.Thread | None = None

    def submit(self, job_ids: Iterable[int]) -> list[Future[str | None]]:
        """Run each job in a thread (those another process claimed first are skipped)."""
        self._start_heartbeat()
        futures = [self.pool.submit(self._run, job_id) for job_id in job_ids]
        with self.guard:
            self.futures.update(futures)
        for future in futures:
            future.add_done_callback(self._forget)
        return futures

    def _forget(self, future: Future[str | None]) -> None:
        with self.guard:
            self.futures.discard(future)

    def wait(self, timeout: float | None = None) -> None:
        """Until every job handed to this executor so far has finished (tests, the CLI before exit)."""
        while True:  # jobs may start sub-jobs: wait for those too
            with self.guard:
                futures = list(self.futures)
            if not futures:
                return
            if wait(futures, timeout=timeout).not_done:
                return

    def _run(self, job_id: int) -> str | None:
        with self.guard:
            self.running.add(job_id)
        try:
            return run_job(self.engine, current_settings(), job_id)
        finally:
            with self.guard:
                self.running.discard(job_id)

    def busy(self) -> int:
        with self.guard:
            return len(self.running)

    def _start_heartbeat(self) -> None:
        with self.guard:
            if self.beater is not None:
                return
            self.beater = threading.Thread(target=self._beat, name="encours-job-heartbeat", daemon=True)
        self.beater.start()

    def _beat(self) -> None:
        while not self.stopping.wait(HEARTBEAT_EVERY):
            with self.guard:
                ids = list(self.running)
            if ids:
                try:
                    with unit_of_work(self.engine) as session:
                        session.execute(
                            update(JobRow).where(JobRow.id.in_(ids), JobRow.status == "running")
                            .values(heartbeat_at=utcnow())
                        )  # fmt: skip
                except Exception:
                    log.exception("job heartbeat failed")

    def requeue_stalled(self) -> list[int]:
        """Jobs left running by a dead process (heartbeat older than the lease) go back to the queue."""
        limit = utcnow() - dt.timedelta(seconds=self.lease)
        with unit_of_work(self.engine) as session:
            stalled = list(session.scalars(
                select(JobRow.id).where(
                    JobRow.status == "running", JobRow.waiting.is_(False), JobRow.heartbeat_at < limit
                )
            ))  # fmt: skip
            with self.guard:
                stalled = [i for i in stalled if i not in self.running]
            if stalled:
                session.execute(update(JobRow).where(JobRow.id.in_(stalled)).values(status="queued"))
        return stalled

    def poll_once(self) -> int:
        """Take queued jobs up to the free threads; returns how many were started."""
        self.requeue_stalled()
        free = self.concurrency - self.busy()
        if free <= 0:
            return 0
        with unit_of_work(self.engine) as session:
            ids = list(session.scalars(
                select(JobRow.id).where(JobRow.status == "queued", JobRow.cancel_requested.is_(False))
                .order_by(JobRow.id).limit(free)
            ))  # fmt: skip
        self.submit(ids)
        return len(ids)

    def poll_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        """``encours worker`` on SQLite, and a thread of ``encours serve``: take queued jobs as they come."""
        while not stop.is_set() and not self.stopping.is_set():
            try:
                started = self.poll_once()
            except Exception:
                log.exception("job polling failed")
                started = 0
            stop.wait(0.05 if started else interval)

    def start_polling(self, interval: float = 1.0) -> threading.Event:
        """Poll in a thread until the returned event is set."""
        stop = threading.Event()
        threading.Thread(
            target=self.poll_forever, args=(stop, interval), name="encours-job-poll", daemon=True
        ).start()
        return stop

    def stop(self, wait: bool = True) -> None:
        self.stopping.set()
        self.pool.shutdown(wait=wait)


def executor(engine: Engine, concurrency: int | None = None, lease: float | None = None) -> Executor:
    """This process's executor for ``engine`` (made on first use)."""
    key = engine.url.render_as_string(hide_password=False)
    with _lock:
        found = _executors.get(key)
        if found is None:
            found = _executors[key] = Executor(
                engine, concurrency or DEFAULT_CONCURRENCY, lease or DEFAULT_LEASE
            )
        return found


def wait_idle(engine: Engine, timeout: float | None = 120.0) -> None:
    """Wait until the jobs this process started on ``engine`` have finished."""
    found = _executors.get(engine.url.render_as_string(hide_password=False))
    if found is not None:
        found.wait(timeout)
