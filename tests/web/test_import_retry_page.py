"""The pages of a failed browser import: Retry is offered while its files are kept (it failed
unexpectedly) and works; when they are gone (a refused file), no Retry, and the reason in the
page's language instead, on the jobs list, the job's page and the import's page. On a database
of their own: the shared one's pages are read by other tests."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import SAMPLES
from tests.einvoicing.conftest import CUSTOMERS
from tests.importing.test_import_retry import failing_once
from tests.web.conftest import browser_login, load_demo

from encours.demo.generator import DemoLedger
from encours.web.app import create_app

REFUSED = (SAMPLES / "mt940/jejik-abnamro.sta").read_bytes()  # its balances do not add up


@pytest.fixture
def own_client(tmp_path: Path, demo_ledger: DemoLedger) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'imports.db'}"
    load_demo(url, demo_ledger)
    with TestClient(create_app(url)) as client:
        yield client


def uploaded(client: TestClient, csrf: str, name: str, data: bytes) -> int:
    response = client.post("/admin/import", data={"csrf_token": csrf}, files={"files": (name, data)},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    found = re.search(r"/admin/import/jobs/(\d+)", response.headers["location"])
    assert found
    job_id = int(found.group(1))
    for _ in range(400):
        if status(client, job_id) in ("done", "failed"):
            return job_id
        time.sleep(0.05)
    raise AssertionError(f"import job {job_id} did not finish")


def status(client: TestClient, job_id: int) -> str:
    found = re.search(r'id="job" data-status="(\w+)"', client.get(f"/jobs/{job_id}").text)
    return found.group(1) if found else ""


def row_of(client: TestClient, job_id: int) -> str:
    found = re.search(rf'<tr[^>]*data-job="{job_id}".*?</tr>', client.get("/jobs").text, re.S)
    assert found, f"job {job_id} not on the jobs page"
    return found.group(0)


def test_a_refused_import_offers_no_retry_and_says_why_in_french(own_client: TestClient) -> None:
    csrf = browser_login(own_client, "credit_manager")
    job_id = uploaded(own_client, csrf, "releve.sta", REFUSED)
    row = row_of(own_client, job_id)
    assert f"/jobs/{job_id}/retry" not in row and "fichiers à déposer de nouveau" in row
    for page in (f"/jobs/{job_id}", f"/admin/import/jobs/{job_id}"):
        html = own_client.get(page).text
        assert f"/jobs/{job_id}/retry" not in html
        assert "ne sont plus conservés" in html and "déposez-les de nouveau" in html
        assert "no longer kept" not in html
    refused = own_client.post(f"/jobs/{job_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 409 and "ne sont plus conservés" in refused.text


def test_an_import_that_failed_unexpectedly_is_retried_from_its_page(
    own_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_once(monkeypatch)  # the database went away during the first file
    csrf = browser_login(own_client, "credit_manager")
    job_id = uploaded(own_client, csrf, "clients.csv", CUSTOMERS.encode())
    assert status(own_client, job_id) == "failed"
    assert f"/jobs/{job_id}/retry" in row_of(own_client, job_id)
    html = own_client.get(f"/jobs/{job_id}").text
    assert f'action="/jobs/{job_id}/retry"' in html and "ne sont plus conservés" not in html
    again = own_client.post(f"/jobs/{job_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 303
    for _ in range(400):
        if status(own_client, job_id) == "done":
            break
        time.sleep(0.05)
    assert status(own_client, job_id) == "done"
