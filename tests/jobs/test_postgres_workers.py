"""Real workers on PostgreSQL (subprocesses): one worker per job, and a worker killed mid-run.

The kill test is the exactly-once promise of SPEC §12: a dunning run whose worker dies with
``kill -9`` is finished by another worker once the dead one's heartbeat is older than the
lease, every message is delivered, and at most one (the one in flight) arrives twice, with
the same Message-ID.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DEMO_UNTIL, Collector, query, smtp_serving
from tests.dunning.conftest import store_ledger

from encours.audit.service import events
from encours.demo.generator import DemoLedger
from encours.dunning.service import list_actions
from encours.jobs import service
from encours.storage.database import get_engine, unit_of_work
from encours.web import job_kinds

pytestmark = pytest.mark.postgres
ENCOURS = Path(sys.executable).parent / "encours"
LEASE = "3"  # seconds: a worker silent this long is dead
assert job_kinds.kinds()  # every kind registered in this process, as in the workers


class SlowCollector(Collector):
    """An SMTP server that takes a moment per message, so a kill lands in the middle of a run."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp() -> Iterator[tuple[Collector, str]]:
    collector = SlowCollector()
    with smtp_serving(collector) as url:
        yield collector, url


def start_worker(url: str, env: dict[str, str], log: Path, concurrency: int = 1) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(ENCOURS), "worker", "--concurrency", str(concurrency), "--db", url],
        env={**os.environ, "ENCOURS_JOBS_LEASE": LEASE, **env},
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_workers_run_each_job_once(postgres_url: str, tmp_path: Path) -> None:
    engine = get_engine(postgres_url)
    with unit_of_work(engine) as session:
        ids = [service.enqueue(session, "ping", {"n": n}).job_id for n in range(40)]
    workers = [start_worker(postgres_url, {}, tmp_path / f"w{i}.log", concurrency=2) for i in range(2)]
    try:

        def all_done() -> bool:
            with unit_of_work(engine) as session:
                return all(j.status == "done" for j in service.list_jobs(session, kind="ping"))

        wait_for(all_done, 120, "40 ping jobs")
    finally:
        for worker in workers:
            stop(worker)
    with unit_of_work(engine) as session:
        jobs = [service.get(session, i) for i in ids]
    assert {j.attempts for j in jobs} == {1}  # each claimed (and run) by one worker, once
    left = query(postgres_url, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'encours.run_job'")
    assert left == [(0,)]  # every queue entry finished (and deleted)
    pids = {j.result["worker"].rsplit(":", 1)[1] for j in jobs}
    assert pids <= {str(w.pid) for w in workers}


def test_a_worker_killed_mid_run_leaves_it_to_another_and_nothing_is_sent_twice_but_the_one_in_flight(
    postgres_url: str, demo_ledger: DemoLedger, slow_smtp: tuple[Collector, str], tmp_path: Path
) -> None:
    collector, smtp_url = slow_smtp
    store_ledger(postgres_url, demo_ledger)
    env = {"ENCOURS_DATA_DIR": str(tmp_path / "data"), "ENCOURS_SMTP_URL": smtp_url,
           "ENCOURS_MAIL_FROM": "relances@encours.test"}  # fmt: skip
    engine = get_engine(postgres_url)
    with unit_of_work(engine) as session:
        run = service.enqueue(session, "dunning_run", {"as_of": DEMO_UNTIL.isoformat(), "shards": 2})
    first = start_worker(postgres_url, env, tmp_path / "first.log")
    try:
        wait_for(lambda: len(collector.received) >= 10, 240, "the first messages")
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    finally:
        stop(first)
    at_kill = len(collector.received)
    second = start_worker(postgres_url, env, tmp_path / "second.log")
    try:

        def finished() -> bool:
            with unit_of_work(engine) as session:
                return service.get(session, run.job_id).finished

        wait_for(finished, 600, "the run to finish on the second worker")
    finally:
        stop(second)
    with unit_of_work(engine) as session:
        job = service.get(session, run.job_id)
        shards = service.list_jobs(session, parent_id=run.job_id)
        actions = list_actions(session)
        sent_ids = {e.details["message_id"] for e in events(session, limit=100_000)
                    if e.action == "dunning.sent" and e.details.get("message_id")}  # fmt: skip
    assert job.status == "done", job.error
    assert max(s.attempts for s in shards) == 2  # the killed worker's shard was taken over
    assert {a.status for a in actions} <= {"sent", "produced"}  # nothing left pending or lost
    received = Counter(str(r.message["Message-ID"]) for r in collector.received)
    assert set(received) == sent_ids  # every message delivered, each recorded
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= 1, received.most_common(3)
    assert len(collector.received) > at_kill  # the second worker delivered the rest
