"""The job kinds on SQLite, run in-process: imports with line errors, dunning runs in shards,
cash application; and `encours worker` on SQLite taking queued jobs and those of dead processes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from tests.conftest import DEMO_UNTIL
from tests.dunning.conftest import store_ledger

from encours.demo.generator import DemoLedger
from encours.dunning.service import list_actions
from encours.jobs import inprocess, service
from encours.jobs.models import JobRow
from encours.jobs.views import JobView
from encours.storage.database import get_engine, unit_of_work
from encours.web import job_kinds

ENCOURS = Path(sys.executable).parent / "encours"
HEADER = "invoice_id,customer_id,issue_date,due_date,amount,kind,disputed,reference\n"
assert "import_file" in job_kinds.kinds()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(data))
    for name in ("ENCOURS_SMTP_URL", "ENCOURS_FAULT_AFTER_SENDS", "ENCOURS_JOBS_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    yield data


def run_to_end(url: str, kind: str, params: dict[str, object]) -> JobView:
    engine = get_engine(url)
    with unit_of_work(engine) as session:
        job = service.enqueue(session, kind, params, requested_by="test")
    inprocess.wait_idle(engine, timeout=600)
    with unit_of_work(engine) as session:
        return service.get(session, job.job_id)


def test_an_import_job_imports_good_files_keeps_line_errors_and_computes_the_figures(
    sqlite_url: str, tmp_path: Path, data_dir: Path
) -> None:
    good = tmp_path / "invoices.csv"
    good.write_text(HEADER + "F1,C1,2025-01-05,2025-02-04,100.10,invoice,false,PO 1\n", encoding="utf-8")
    bad = tmp_path / "more.csv"
    bad.write_text(HEADER + "F2,C1,2025-13-45,,12.00,invoice,false,\n", encoding="utf-8")
    job = run_to_end(sqlite_url, "import_file", {"paths": [str(good), str(bad)], "names": ["a.csv", "b.csv"]})
    assert job.status == "failed" and job.error is not None and "1 of 2 files rejected" in job.error
    files = {f["file"]: f for f in job.result["files"]}
    assert files["a.csv"]["status"] == "imported" and files["a.csv"]["entries_created"] == 1
    assert files["b.csv"]["status"] == "rejected"
    assert files["b.csv"]["errors"][0]["line"] == 2 and files["b.csv"]["errors"][0]["field"]
    with unit_of_work(get_engine(sqlite_url)) as session:
        figures = service.list_jobs(session, kind="figures")
    assert [(f.status, f.parent_id) for f in figures] == [("done", job.job_id)]


def test_a_dunning_run_job_dry_runs_then_delivers_in_shards_each_action_once(
    sqlite_url: str, demo_ledger: DemoLedger, data_dir: Path
) -> None:
    store_ledger(sqlite_url, demo_ledger)
    dry = run_to_end(sqlite_url, "dunning_run", {"as_of": DEMO_UNTIL.isoformat(), "dry_run": True})
    assert dry.status == "done" and dry.result["actions"] > 0
    with unit_of_work(get_engine(sqlite_url)) as session:
        assert list_actions(session) == []  # a dry run writes nothing
    real = run_to_end(sqlite_url, "dunning_run", {"as_of": DEMO_UNTIL.isoformat(), "shards": 3})
    assert real.status == "done", real.error
    assert real.result["actions"] == dry.result["actions"] and len(real.result["parts"]) == 3
    assert real.progress_total is not None and real.progress_done == real.progress_total > 0
    with unit_of_work(get_engine(sqlite_url)) as session:
        actions = list_actions(session)
    assert len(actions) == dry.result["actions"] and {a.status for a in actions} <= {"produced", "sent"}
    files = list((data_dir / "mail").glob("*.eml"))
    assert len(files) == sum(p["result"]["files"] for p in real.result["parts"]) > 0  # each message once
    again = run_to_end(sqlite_url, "dunning_run", {"as_of": DEMO_UNTIL.isoformat(), "shards": 2})
    assert again.result["actions"] == 0  # decided once, delivered once
    assert len(list((data_dir / "mail").glob("*.eml"))) == len(files)


def test_cash_application_job_reports_its_matches(
    sqlite_url: str, demo_ledger: DemoLedger, data_dir: Path
) -> None:
    store_ledger(sqlite_url, demo_ledger)
    job = run_to_end(sqlite_url, "cash_application", {"as_of": DEMO_UNTIL.isoformat(), "dry_run": True})
    assert job.status == "done", job.error
    assert job.result["dry_run"] is True and job.result["summary"]["receipts"] == len(job.result["receipts"])


def test_the_sqlite_worker_takes_queued_jobs_and_those_of_a_dead_process(
    sqlite_url: str, tmp_path: Path, data_dir: Path
) -> None:
    engine = get_engine(sqlite_url)
    with unit_of_work(engine) as session:
        queued = service.enqueue(session, "ping", {}).job_id  # this process does not run it:
        orphan = service.enqueue(session, "ping", {}).job_id
    with unit_of_work(engine) as session:  # (run in-process after commit, so reset both)
        session.execute(update(JobRow).values(status="queued", attempts=0))
    inprocess.wait_idle(engine)
    with unit_of_work(engine) as session:  # one left running by a process that died long ago
        session.execute(update(JobRow).values(status="queued", attempts=0))
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        session.execute(update(JobRow).where(JobRow.id == orphan).values(status="running", attempts=1,
                                                                        heartbeat_at=long_ago))  # fmt: skip
    worker = subprocess.Popen(
        [str(ENCOURS), "worker", "--no-scheduler", "--db", sqlite_url],
        env={**os.environ, "ENCOURS_JOBS_LEASE": "5"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with unit_of_work(engine) as session:
                views = [service.get(session, i) for i in (queued, orphan)]
            if all(v.status == "done" for v in views):
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(30)
    assert [v.status for v in views] == ["done", "done"]
    assert views[0].result["worker"].endswith(f":{worker.pid}")
    assert views[1].attempts == 2  # the dead process's attempt, then the worker's
