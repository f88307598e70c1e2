"""The mail jobs other than the dunning run, killed mid-send by ``kill -9`` and retried (SPEC §12):
the notification e-mails, the weekly digest and the bulk statements send again at most the one
message in flight at the kill, with the same Message-ID, and never one the server had accepted.

A real worker process (``encours worker`` on SQLite) sends to a real SMTP server on loopback,
which kills the worker while it holds the N-th message, before answering: that message is the
one in flight. The test process then plays the worker that takes the job over.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.conftest import DEMO_UNTIL, Collector, Received, smtp_serving
from tests.web.conftest import email, load_demo

from encours.casework import assignment, notifications
from encours.demo.generator import DemoLedger
from encours.dunning.fault import CRASH_EXIT_CODE
from encours.jobs import dispatch, service
from encours.jobs.runner import run_job
from encours.settings import Settings
from encours.storage.database import unit_of_work
from encours.users.service import UserService
from encours.web import job_kinds

ENCOURS = Path(sys.executable).parent / "encours"
SENDER = "encours@example.com"
assert {"notification_emails", "weekly_digest", "statements"} <= set(job_kinds.kinds())


class KillingCollector(Collector):
    """Keeps every message; at the ``at``-th, kills the worker before telling it the message arrived."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at = at
        self.worker: subprocess.Popen[bytes] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == self.at and self.worker is not None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait(30)
        return answer


class Mailing:
    """A demo company on SQLite, a killing SMTP server and the settings both workers use."""

    def __init__(self, tmp_path: Path, ledger: DemoLedger, collector: KillingCollector, url: str) -> None:
        self.db = f"sqlite:///{tmp_path / 'mail.db'}"
        self.engine: Engine = load_demo(self.db, ledger)
        self.collector = collector
        self.data_dir = tmp_path / "data"
        self.settings = Settings(database_url=self.db, data_dir=self.data_dir, smtp_url=url, mail_from=SENDER)
        self.env = {**os.environ, "ENCOURS_SMTP_URL": url, "ENCOURS_MAIL_FROM": SENDER,
                    "ENCOURS_DATA_DIR": str(self.data_dir), "ENCOURS_JOBS_LEASE": "60"}  # fmt: skip
        self.log = tmp_path / "worker.log"
        dispatch.configure(self.settings, run_here=False)  # queued here, run by the worker

    def enqueue(self, kind: str, params: dict[str, Any]) -> int:
        with unit_of_work(self.engine) as session:
            return service.enqueue(session, kind, params, requested_by="test").job_id

    def worker_dies(self, fault_after_sends: int | None = None) -> int:
        """A worker takes the queued job and dies (killed by the server, or by the fault injector)."""
        env = dict(self.env)
        if fault_after_sends is not None:
            env["ENCOURS_FAULT_AFTER_SENDS"] = str(fault_after_sends)
        worker = subprocess.Popen(
            [str(ENCOURS), "worker", "--no-scheduler", "--db", self.db], env=env,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.collector.worker = worker
        try:
            return worker.wait(60)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    def taken_over(self, job_id: int) -> str | None:
        """Another worker takes over the job the dead one left running."""
        self.collector.worker = None
        return run_job(self.engine, self.settings, job_id, from_running=True)


@pytest.fixture
def mailing(tmp_path: Path, demo_ledger: DemoLedger, request: pytest.FixtureRequest) -> Iterator[Mailing]:
    collector = KillingCollector(at=request.param)
    with smtp_serving(collector) as url:
        yield Mailing(tmp_path, demo_ledger, collector, url)


def copies(received: list[Received]) -> Counter[str]:
    """How many times each Message-ID arrived; a message without one fails the test."""
    ids = [str(r.message["Message-ID"] or "") for r in received]
    assert all(ids), "every message carries a Message-ID"
    return Counter(ids)


def assert_once_but_the_one_in_flight(received: list[Received], in_flight: Received, expected: int) -> None:
    counted = copies(received)
    assert len(counted) == expected  # every message arrived
    repeated = {mid: n for mid, n in counted.items() if n > 1}
    assert repeated == {str(in_flight.message["Message-ID"]): 2}  # only the one in flight, same Message-ID


@pytest.mark.parametrize("mailing", [3], indirect=True)
def test_notification_emails_killed_mid_batch_resend_only_the_one_in_flight(mailing: Mailing) -> None:
    with unit_of_work(mailing.engine) as session:
        collector = UserService(session).by_email(email("collector"))
        assert collector is not None
        notifications.set_email(session, collector.id, True)
        for number in range(2, 9):
            customer = f"C{number:05d}"
            assignment.assign(session, customer, "collector", collector.email, actor="test")
            words = (f"promesse {customer}", f"promise {customer}")
            notifications.notify(session, notifications.Kind.BROKEN_PROMISE, words, customer)
    job = mailing.enqueue("notification_emails", {})
    assert mailing.worker_dies() == -signal.SIGKILL
    in_flight = mailing.collector.received[2]
    assert mailing.taken_over(job) == "done"
    assert_once_but_the_one_in_flight(mailing.collector.received, in_flight, expected=7)
    with unit_of_work(mailing.engine) as session:
        assert notifications.pending_email_ids(session) == []


@pytest.mark.parametrize("mailing", [1], indirect=True)
def test_a_digest_killed_in_flight_is_sent_again_with_the_same_message_id(mailing: Mailing) -> None:
    job = mailing.enqueue("weekly_digest", {"as_of": DEMO_UNTIL.isoformat(), "to": ["a@example.com"]})
    assert mailing.worker_dies() == -signal.SIGKILL
    assert mailing.taken_over(job) == "done"
    assert_once_but_the_one_in_flight(mailing.collector.received, mailing.collector.received[0], expected=1)


@pytest.mark.parametrize("mailing", [0], indirect=True)
def test_a_digest_the_server_accepted_is_not_sent_again_by_the_retry(mailing: Mailing) -> None:
    job = mailing.enqueue("weekly_digest", {"as_of": DEMO_UNTIL.isoformat(), "to": ["a@example.com"]})
    assert mailing.worker_dies(fault_after_sends=1) == CRASH_EXIT_CODE  # died after the server said yes
    assert mailing.taken_over(job) == "done"
    assert len(mailing.collector.received) == 1
    with unit_of_work(mailing.engine) as session:
        assert service.get(session, job).result["sent"] == 0


@pytest.mark.parametrize("mailing", [2], indirect=True)
def test_statements_killed_mid_job_resend_only_the_one_in_flight(mailing: Mailing) -> None:
    customers = [f"C{n:05d}" for n in range(1, 5)]
    job = mailing.enqueue("statements", {"customer_ids": customers, "as_of": DEMO_UNTIL.isoformat()})
    assert mailing.worker_dies() == -signal.SIGKILL
    in_flight = mailing.collector.received[1]
    assert mailing.taken_over(job) == "done"
    assert_once_but_the_one_in_flight(mailing.collector.received, in_flight, expected=4)
