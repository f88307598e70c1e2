"""The import job as the browser starts it: the uploaded bytes are kept in the database only
(no file on any disk), read by whichever worker takes the job, and deleted when it ends; bank
statements reach the bank journal, CDAR statuses e-invoicing, ledger files the ledger, each
refused file with its lines; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.bank.conftest import camt053_as_mt940, count
from tests.conftest import SAMPLES, query
from tests.einvoicing.cdar_messages import status_xml
from tests.einvoicing.conftest import CUSTOMERS, INVOICES

from encours.jobs import dispatch, files, service
from encours.jobs.models import JobRow
from encours.jobs.runner import run_job
from encours.jobs.views import JobView
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.web import job_kinds

assert "import_file" in job_kinds.kinds()
STATEMENTS = {
    "releve.xml": (SAMPLES / "camt053/oca-test-camt053-txdtls.xml").read_bytes(),  # 2 credits
    "releve.ofx": (SAMPLES / "ofx/oca-test_ofx_iban.ofx").read_bytes(),  # 4 transactions
    "releve.cfonb": (SAMPLES / "cfonb120/oca-test_cfonb.txt").read_bytes(),  # 4 + 3
    "releve.sta": camt053_as_mt940().encode("latin-1"),  # the camt.053's 2 again: already known
    "abnamro.sta": (SAMPLES / "mt940/jejik-abnamro.sta").read_bytes(),  # balances do not add up
}


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.delenv("ENCOURS_SMTP_URL", raising=False)
    chosen = Settings(data_dir=tmp_path / "data")
    dispatch.configure(chosen, run_here=False)  # nothing runs in this process: the "worker" below does
    yield chosen


def work_off(url: str, settings: Settings) -> None:
    """A worker elsewhere: a fresh engine, runs every queued job (and the sub-jobs they start)."""
    engine = get_engine(url)
    while True:
        with unit_of_work(engine) as session:
            queued = session.scalars(select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.id))
            queued = list(queued)
        if not queued:
            return
        for job_id in queued:
            run_job(engine, settings, job_id, from_running=True)


def upload(url: str, named: dict[str, bytes]) -> int:
    """What the browser's upload does: a job with no path, its files in the database."""
    with unit_of_work(get_engine(url)) as session:
        job = service.enqueue(session, "import_file", {"names": list(named)}, requested_by="test")
        kept = [files.JobFile(name, data) for name, data in named.items()]
        files.attach(session, job.job_id, kept, limit=Settings().web_max_upload_bytes)
    return job.job_id


def finished(url: str, job_id: int) -> JobView:
    with unit_of_work(get_engine(url)) as session:
        return service.get(session, job_id)


def test_an_upload_kept_only_in_the_database_imports_statements_statuses_and_ledger_files(
    db_url: str, settings: Settings
) -> None:
    cdar = status_xml("F207", 207, reason_code="QTE", reason="Quantité non conforme").encode()
    unknown = status_xml("NOPE", 207, reason="x").encode()
    ledger = {"factures.csv": INVOICES.encode(), "clients.csv": CUSTOMERS.encode()}
    job_id = upload(db_url, {**STATEMENTS, "statut.xml": cdar, "inconnu.xml": unknown, **ledger})
    with unit_of_work(get_engine(db_url)) as session:
        assert files.count(session, job_id) == 9
    work_off(db_url, settings)
    job = finished(db_url, job_id)
    assert job.status == "failed" and job.error is not None and job.error.startswith("2 of 9 files rejected")
    by_name = {f["file"]: f for f in job.result["files"]}
    assert {n for n, f in by_name.items() if f["status"] == "rejected"} == {"abnamro.sta", "inconnu.xml"}
    balance = by_name["abnamro.sta"]["errors"]
    assert {e["field"] for e in balance} == {"balance"} and 40 in {e["line"] for e in balance}
    assert all("closing balance" in e["message"] for e in balance)
    assert by_name["inconnu.xml"]["errors"][0]["line"] > 0
    assert by_name["releve.xml"]["kind"] == "bank" and by_name["releve.xml"]["accounts"] == [
        {"account": "CH1111000000123456789", "transactions": 2, "new": 2, "known": 0}
    ]
    assert by_name["releve.sta"]["accounts"][0]["known"] == 2  # the same money from two formats
    status = by_name["statut.xml"]
    assert (status["kind"], status["new"], status["disputes_opened"]) == ("lifecycle", 1, 1)
    assert by_name["factures.csv"]["kind"] == "ledger" and by_name["factures.csv"]["entries_created"] == 10
    assert count(db_url, "bank_transactions") == 2 + 4 + 7
    reasons = query(db_url, "SELECT d.reason FROM disputes d JOIN entries e ON e.id = d.entry_id "
                            "WHERE e.reference = 'F207'")  # fmt: skip
    assert reasons == [("CDAR 207 En litige: QTE Quantité non conforme",)]
    with unit_of_work(get_engine(db_url)) as session:
        assert files.count(session) == 0  # deleted with the job's end
        assert [f.status for f in service.list_jobs(session, kind="figures")] == ["done"]


def test_a_successful_upload_is_done_and_its_files_gone_and_a_retry_asks_for_them_again(
    db_url: str, settings: Settings
) -> None:
    job_id = upload(db_url, {"clients.csv": CUSTOMERS.encode()})
    work_off(db_url, settings)
    assert finished(db_url, job_id).status == "done"
    with unit_of_work(get_engine(db_url)) as session:
        assert files.count(session) == 0
        service.cancel(session, upload_id := service.enqueue(session, "import_file", {}).job_id)
    with unit_of_work(get_engine(db_url)) as session:
        service.retry(session, upload_id)
    work_off(db_url, settings)
    again = finished(db_url, upload_id)
    assert again.status == "failed" and again.error is not None and "upload it again" in again.error


def test_a_path_queued_from_the_cli_on_the_same_host_still_imports(
    sqlite_url: str, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "releve.ofx"
    path.write_bytes(STATEMENTS["releve.ofx"])
    with unit_of_work(get_engine(sqlite_url)) as session:
        job_id = service.enqueue(session, "import_file", {"paths": [str(path)]}).job_id
    work_off(sqlite_url, settings)
    job = finished(sqlite_url, job_id)
    assert job.status == "done", job.error
    assert job.result["files"][0]["file"] == "releve.ofx" and count(sqlite_url, "bank_transactions") == 4
