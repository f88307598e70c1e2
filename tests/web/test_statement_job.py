"""Statements to ticked customers as a background job: the worklist's request answers at once
with the job's page, the job mails each statement through a real SMTP conversation with
progress, and reports per customer the ones it could not send (no address, refused by the
server), in the page's language; a retry sends none twice."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import Collector, smtp_serving
from tests.web.conftest import AS_OF, browser_login, token_for

from encours.jobs import service
from encours.jobs.views import JobView
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import create_app

REFUSED = "refuse@example.com"


class Picky(Collector):
    """An SMTP server refusing one recipient, accepting the others."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_smtp() -> Iterator[tuple[Picky, str]]:
    collector = Picky()
    with smtp_serving(collector) as url:
        yield collector, url


def wait_for(url: str, job_id: int) -> JobView:
    deadline = time.monotonic() + 120
    while True:
        with unit_of_work(get_engine(url)) as session:
            job = service.get(session, job_id)
        if job.finished or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_bulk_statements_are_a_job_whose_page_lists_each_customer_not_sent(
    own_url: str, tmp_path: Path, picky_smtp: tuple[Picky, str]
) -> None:
    smtp, smtp_url = picky_smtp
    with sqlite3.connect(own_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE customers SET email = NULL WHERE customer_id = 'C00004'")
        db.execute("UPDATE customers SET email = ? WHERE customer_id = 'C00005'", (REFUSED,))
        [(good,)] = db.execute("SELECT email FROM customers WHERE customer_id = 'C00006'").fetchall()
    settings = Settings(
        database_url=own_url, data_dir=tmp_path, smtp_url=smtp_url, mail_from="ar@example.com"
    )
    chosen = ["C00004", "C00005", "C00006"]
    with TestClient(create_app(own_url, settings)) as client:
        csrf = browser_login(client, "collector")
        answer = client.post(
            "/worklist/bulk", follow_redirects=False,
            data={"csrf_token": csrf, "action": "statement", "customer_ids": chosen, "as_of": AS_OF},
        )  # fmt: skip
        assert answer.status_code == 303 and answer.headers["location"].startswith("/jobs/")
        job_id = int(answer.headers["location"].rsplit("/", 1)[1])
        job = wait_for(own_url, job_id)
        assert job.kind == "statements" and job.status == "failed"
        assert job.result["sent"] == ["C00006"] and job.progress_done == job.progress_total == 3
        assert {f["customer_id"]: f["reason"] for f in job.result["failed"]} == {
            "C00004": "no_email", "C00005": "not_delivered",
        }  # fmt: skip
        [mail] = smtp.received
        assert mail.recipients == (good,) and mail.message["Subject"] == "Relevé de compte"
        page = client.get(f"/jobs/{job_id}").text
        assert 'data-customer="C00004"' in page and "aucune adresse électronique" in page
        assert (
            "refusé par le serveur de messagerie" in page and "mailbox unavailable" not in page
        )  # French only
        assert "Relevés envoyés\u202f: 1 / 3" in page  # a narrow no-break space before the colon
        refused = client.post(f"/jobs/{job_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
        assert refused.status_code == 403  # a collector may not retry
        with unit_of_work(get_engine(own_url)) as session:
            service.retry(session, job_id)  # a manager does
        again = wait_for(own_url, job_id)
        assert again.result["sent"] == ["C00006"] and len(smtp.received) == 1  # not sent twice
    with sqlite3.connect(own_url.removeprefix("sqlite:///")) as db:
        sent = db.execute(
            "SELECT customer_id FROM audit_events WHERE action = 'dunning.statement_sent'"
        ).fetchall()
    assert sent == [("C00006",)]


def test_the_api_queues_the_statements_job(own_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(own_url, Settings(database_url=own_url, data_dir=tmp_path))) as app_client:
        headers = {"Authorization": f"Bearer {token_for(app_client, 'collector')}"}
        api_statements(app_client, headers, own_url)
    [written] = (tmp_path / "mail").glob("*.eml")  # no SMTP: written as a file, as dunning does
    assert "C00007" in written.name


def api_statements(app_client: TestClient, headers: dict[str, str], url: str) -> None:
    queued = app_client.post(
        "/api/v1/worklist/bulk", params={"as_of": AS_OF}, headers=headers,
        json={"action": "statement", "customer_ids": ["C00007"]},
    )  # fmt: skip
    assert queued.status_code == 200 and queued.json()["job_id"] and queued.json()["customers"] == 1
    followed = app_client.get(f"/api/v1/jobs/{queued.json()['job_id']}", headers=headers).json()
    assert followed["kind"] == "statements" and followed["params"]["customer_ids"] == ["C00007"]
    assert wait_for(url, queued.json()["job_id"]).status == "done"
    nobody = app_client.post(
        "/api/v1/worklist/bulk", params={"as_of": AS_OF}, headers=headers,
        json={"action": "statement", "customer_ids": ["NOBODY"]},
    )  # fmt: skip
    assert nobody.status_code == 404
