"""A company's regular dunning run over a large ledger, split across workers (issue 13).

The first run of a ledger is a catch-up: every overdue invoice is due for a step (at 1M open
items, 153k actions over 753k invoices). It happens once; a company then runs dunning every
day. So the set-up (``DayAfterCatchUp``), timed but not part of the figure:

1. loads the generated ledger (``ledger_data``) into a PostgreSQL database and gives every
   customer an e-mail and a postal address (the generator makes none), in bench SQL;
2. runs the catch-up on day D-1 through the product's own ``decide`` and ``record_decisions``
   (what ``decide_and_record`` commits), timing decisions and writing;
3. records that catch-up's delivery WITHOUT sending it: bench SQL marks every pending outbox
   row ``sent`` on the day it was decided (so the markers and the notice history say delivered
   on D-1); no e-mail, letter or task of D-1 exists;
4. vacuums that database, the template of each measured run.

Each measured run clones the template (``CREATE DATABASE ... TEMPLATE``), so every run starts
from the same state, starts ``workers`` ``encours worker`` processes, queues the product's
``dunning_run`` job of day D (``shards`` delivery sub-jobs), and waits until it is done:
decisions over every open item, then what falls due that day delivered through an SMTP server
answering each message after ``smtp_ms`` (e-mails, letters rendered to PDF, phone tasks).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from dbload import load_postgres
from encours.dunning.service import decide, load_config, record_decisions
from encours.jobs import service
from encours.jobs.models import JobRow
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from ledger_data import AS_OF, generate
from workers import cpu_seconds, smtp_env, smtp_server, start_workers, stop_workers, wait_finished

CREDITOR = """name = "Banc d'Essai Créances SAS"
address = ["3 rue du Banc", "69002 Lyon", "France"]
siren = "552100554"
vat_number = "FR10552100554"
email = "recouvrement@banc-essai.test"
phone = "+33 4 00 00 00 00"
iban = "FR76 1027 8060 0000 0202 8900 151"
bic = "CMCIFR2A"
city = "Lyon"
"""

# the generator's customers have no contact details: letters need a street and a town
CONTACTS = """
UPDATE customers SET email = lower(customer_id) || '@client.test',
    address_line1 = (id % 200 + 1) || ' rue des Tilleuls', postal_code = '75011', city = 'Paris',
    country = 'FR'
"""
# the catch-up delivered the day it was decided (bench set-up: nothing is sent)
DELIVERED = "UPDATE dunning_actions SET status = 'sent', sent_at = created_at WHERE status = 'pending'"
RUN_ACTIONS = "SELECT channel, count(*) FROM dunning_actions WHERE run_id = :run GROUP BY channel"


class DayAfterCatchUp:
    """A template database: the ledger after its catch-up run of ``day - 1``, delivered."""

    def __init__(self, admin_url: str, items: int, customers: int) -> None:
        self.admin_url = admin_url
        self.items = items
        self.customers = customers
        self.name = f"bench_day_{uuid.uuid4().hex[:8]}"
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench-dunning-day-"))
        (self.data_dir / "company.toml").write_text(CREDITOR, encoding="utf-8")
        self.day = AS_OF  # D, the regular run's day (the generated ledger's date)
        self.setup: dict[str, Any] = {}

    def url(self, name: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def _admin(self, sql: str) -> None:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(sql))
        finally:
            admin.dispose()

    def __enter__(self) -> DayAfterCatchUp:
        self._admin(f'CREATE DATABASE "{self.name}"')
        try:
            self._prepare()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _prepare(self) -> None:
        url = self.url(self.name)
        started = time.perf_counter()
        load_postgres(url, generate(self.items, self.customers, as_of=self.day))
        engine = get_engine(url)
        with unit_of_work(engine) as session:
            session.execute(text(CONTACTS))
        loaded = time.perf_counter() - started
        config = load_config(Settings(data_dir=self.data_dir))
        with unit_of_work(engine) as session:
            started = time.perf_counter()
            decisions = decide(session, config, self.day - dt.timedelta(days=1))
            deciding = time.perf_counter() - started
            started = time.perf_counter()
            record_decisions(session, decisions, "bench catch-up")
            session.flush()
        writing = time.perf_counter() - started  # flush and commit
        with unit_of_work(engine) as session:
            marked = session.execute(text(DELIVERED)).rowcount
        engine.dispose()
        get_engine.cache_clear()
        vacuum = create_engine(url, isolation_level="AUTOCOMMIT")
        with vacuum.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        vacuum.dispose()
        self.setup = {
            "load_seconds": loaded, "catch_up_decisions_seconds": deciding,
            "catch_up_writing_seconds": writing, "catch_up_actions": len(decisions.actions),
            "catch_up_invoices": sum(len(a.invoices) for a in decisions.actions), "marked_delivered": marked,
        }  # fmt: skip

    def __exit__(self, *exc: object) -> None:
        get_engine.cache_clear()
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)  # the letters and sent e-mails of the runs

    @contextmanager
    def clone(self) -> Iterator[str]:
        """A copy of the template, dropped on exit."""
        name = f"{self.name}_{uuid.uuid4().hex[:4]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        try:
            yield self.url(name)
        finally:
            get_engine.cache_clear()
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def run(self, workers: int, shards: int, smtp_ms: float) -> dict[str, Any]:
        """The product's run of ``day`` on a fresh clone, delivered by ``workers`` worker processes."""
        with smtp_server(smtp_ms) as (handler, port), self.clone() as url:
            procs = start_workers(url, workers, {"ENCOURS_DATA_DIR": str(self.data_dir), **smtp_env(port)})
            try:
                time.sleep(3)  # the workers connected and listening
                engine = get_engine(url)
                started = time.perf_counter()
                load_start = os.getloadavg()[0]  # the machine's, at the start and at the end of the run
                with unit_of_work(engine) as session:
                    job_id = service.enqueue(
                        session, "dunning_run", {"as_of": self.day.isoformat(), "shards": shards}
                    ).job_id
                wait_finished(url, [job_id], 6 * 3600)
                total = time.perf_counter() - started
                load = (load_start, os.getloadavg()[0])
                # the workers' CPU (start-up included), not PostgreSQL's
                cpu = cpu_seconds([proc.pid for proc in procs])
            finally:
                stop_workers(procs)
            figures = self._figures(url, job_id)
            engine.dispose()
        return {"workers": workers, "shards": shards, "seconds": total, "load": load, "cpu_seconds": cpu,
                **figures, "received": len(handler.ids), "duplicates": handler.duplicates}  # fmt: skip

    @staticmethod
    def _figures(url: str, job_id: int) -> dict[str, Any]:
        """What the run decided and delivered, and how long each phase took (the jobs' clocks)."""
        with unit_of_work(get_engine(url)) as session:
            job = service.get(session, job_id)
            queued, first_start, last_end, parts = session.execute(
                select(func.min(JobRow.queued_at), func.min(JobRow.started_at), func.max(JobRow.finished_at),
                       func.count()).where(JobRow.parent_id == job_id)
            ).one()  # fmt: skip
            channels = dict(session.execute(text(RUN_ACTIONS), {"run": job.result["run_id"]}).all())
            shards = [service.get(session, i).result or {} for i in job.result["shards"]]
        assert job.started_at is not None and job.finished_at is not None
        delivered = {key: sum(int(s.get(key, 0)) for s in shards)
                     for key in ("messages", "letters", "tasks", "failed", "retry")}  # fmt: skip
        return {
            "status": job.status, "actions": job.result["actions"], "channels": channels, **delivered,
            "decision_seconds": (queued - job.started_at).total_seconds(),
            "delivery_seconds": (last_end - queued).total_seconds(),
            "job_seconds": (job.finished_at - job.started_at).total_seconds(),  # decisions + delivery
            "parts": parts, "first_shard_wait_seconds": (first_start - queued).total_seconds(),
        }  # fmt: skip


def regular_day(admin_url: str, items: int, customers: int, shards: int, smtp_ms: float) -> dict[str, Any]:
    """The set-up's figures, then the run of day D with 1 worker and with 2, each on its clone."""
    with DayAfterCatchUp(admin_url, items, customers) as ledger:
        print(ledger.setup)
        runs = []
        for workers in (1, 2):
            runs.append(ledger.run(workers, shards, smtp_ms))
            print(runs[-1])
    return {"setup": ledger.setup, "day": ledger.day, "runs": runs}
