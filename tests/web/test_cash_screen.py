"""The cash-application screen through its forms: the receipts waiting in both languages (the
reason told in French to French users, the CLI's English unchanged), confirming a suggestion,
allocating by hand with a French amount and a bank charge, unallocating, setting a credit aside;
only credit managers and admins decide; the aged balance moves only after a decision."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import invoke
from tests.ledger.test_cash_application import LINES, aging_total, line, line_ids, setup_ledger
from tests.web.conftest import PASSWORD, browser_login, email
from typer.testing import CliRunner

from encours.audit.service import events
from encours.bank.models import BankTransactionRow
from encours.jobs import service as jobs
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService
from encours.web.app import create_app

CASH_LINES = [
    LINES[3],  # 80.00 from Dupont, who has two invoices of 80.00: suggested, nothing proposed
    LINES[4],  # 500.00 from an unknown payer: unmatched
    line(8, "400.00", 17, "M. DURAND", "", "FC-7001"),  # names C3's invoice, payer unknown: proposed
    line(9, "1194.00", 18, "SOCIETE X", "", "divers"),  # for FA220302 (1 200,00) less 6,00 of charges
]
ENGLISH = ("Suggested", "Unmatched", "Receipts to apply", "Run cash application", "which one is paid")


def prepare(cli: CliRunner, tmp_path: Path, url: str) -> str:
    """The small ledger and journal, cash application run once, a user per deciding role."""
    setup_ledger(cli, tmp_path, url, CASH_LINES)
    code, out, _ = invoke(cli, "cash", "apply", "--as-of", "2026-10-31", "--format", "json", "--db", url)
    assert code == 0
    (tmp_path / "apply.json").write_text(out)
    with unit_of_work(get_engine(url)) as session:
        for role in ("credit_manager", "collector"):
            UserService(session).create(email(role), role, PASSWORD, actor="test", language="fr")
        UserService(session).create(email("admin"), "admin", PASSWORD, actor="test", language="en")
    return url


@pytest.fixture
def cash_url(cli: CliRunner, tmp_path: Path, db_url: str) -> Iterator[str]:
    yield prepare(cli, tmp_path, db_url)
    get_engine(db_url).dispose()


def ids(url: str) -> dict[str, str]:
    return line_ids(url)


def test_waiting_receipts_in_french_and_english(cash_url: str, tmp_path: Path) -> None:
    applied = json.loads((tmp_path / "apply.json").read_text())
    english = {r["receipt_id"]: r["reason"] for r in applied["receipts"]}
    dupont = ids(cash_url)["4"]
    assert english[dupont].startswith("2 open invoices of C2 are of 80.00")  # the CLI's words, unchanged
    with TestClient(create_app(cash_url)) as client:
        browser_login(client, "credit_manager")
        page = client.get("/cash").text
        assert "2 factures ouvertes de C2 font 80,00" in page
        assert "80,00\xa0€" in page or "80,00\u202f€" in page
        assert not [word for word in ENGLISH if word in page]
        rows = page.split('data-receipt="')[1:]
        statuses = [row.split('class="tag">')[1].split("<")[0] for row in rows]
        assert statuses == ["Proposé", "Proposé", "Non rapproché", "Non rapproché"]  # suggested first
        assert "Proposé (2)" in page and "Non rapproché (2)" in page
        only = client.get("/cash", params={"status": "unmatched", "amount_min": "1 000,00"}).text
        assert only.count('data-receipt="') == 1 and f'data-receipt="{ids(cash_url)["9"]}"' in only
    with TestClient(create_app(cash_url)) as client:
        browser_login(client, "admin")
        page = client.get("/cash").text
        assert "2 open invoices of C2 are of 80.00" in page and "Receipts to apply" in page
    listed = TestClient(create_app(cash_url))
    with listed:
        token = listed.post("/api/v1/auth/token", data={"username": email("admin"), "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        api = {r["receipt_id"]: r for r in listed.get("/api/v1/cash/receipts", headers=headers).json()}
        assert api[dupont]["reason"] == english[dupont] and api[dupont]["reason_codes"] == ["same_amount"]


def test_confirm_allocate_unallocate_and_set_aside(cash_url: str, cli: CliRunner) -> None:
    receipts = ids(cash_url)
    before = aging_total(cli, cash_url)
    with TestClient(create_app(cash_url)) as client:
        csrf = browser_login(client, "credit_manager")
        proposed = receipts["8"]
        page = client.get(f"/cash/receipts/{proposed}").text
        assert "FC-7001" in page and "Confirmer la proposition" in page
        assert aging_total(cli, cash_url) == before  # nothing moves before a person decides
        done = client.post(
            f"/cash/receipts/{proposed}/confirm", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert done.status_code == 303
        assert aging_total(cli, cash_url) == f"{float(before) - 400:.2f}"
        assert "Rapproché" in client.get(f"/cash/receipts/{proposed}").text

        manual = receipts["9"]
        search = client.get(f"/cash/receipts/{manual}", params={"q": "acme"}).text
        assert "Acme Industrie SAS" in search
        form = client.get(f"/cash/receipts/{manual}", params={"customer": "C1"}).text
        prefilled = dict(
            re.findall(r'name="invoices" value="([^"]+)"><input[^>]*name="amounts"[^>]*value="([^"]+)"', form)
        )
        assert prefilled["FA220303"] == "300,00"  # what is owed...
        assert prefilled["FA220302"] in ("1\u202f194,00", "1\xa0194,00")  # ...at most what the receipt brings
        made = client.post(
            f"/cash/receipts/{manual}/allocate", follow_redirects=False,
            data={"csrf_token": csrf, "invoices": ["FA220302", "FA220303"],
                  "amounts": [prefilled["FA220302"], "300,00"], "ticked": ["FA220302"],
                  "charges": ["FA220302"]},
        )  # fmt: skip
        assert made.status_code == 303, made.text
        assert aging_total(cli, cash_url) == f"{float(before) - 400 - 1200:.2f}"  # settled with its charge
        shown = client.get(f"/cash/receipts/{manual}").text
        assert "FA220302" in shown and "Frais bancaires" in shown and "6,00" in shown
        undone = client.post(
            f"/cash/receipts/{manual}/unallocate", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert undone.status_code == 303
        assert aging_total(cli, cash_url) == f"{float(before) - 400:.2f}"
        assert "Délettré. Rapproché à la main par credit_manager@encours.test." in client.get("/cash").text

        stranger = receipts["5"]
        refused = client.post(f"/cash/receipts/{stranger}/ignore", data={"csrf_token": csrf, "note": " "})
        assert refused.status_code == 422
        aside = client.post(
            f"/cash/receipts/{stranger}/ignore", follow_redirects=False,
            data={"csrf_token": csrf, "note": "loyer de la SCI, pas un client"},
        )  # fmt: skip
        assert aside.status_code == 303
        assert f'data-receipt="{stranger}"' not in client.get("/cash").text
        token = client.post("/api/v1/auth/token", data={"username": email("admin"), "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        api = {r["receipt_id"]: r for r in client.get("/api/v1/cash/receipts", headers=headers).json()}
        assert api[manual]["reason"] == "Unallocated. Allocated by hand by credit_manager@encours.test."
        assert api[manual]["status"] == "suggested" and stranger not in api
    with unit_of_work(get_engine(cash_url)) as session:
        actions = [e.action for e in events(session, None)]
    for action in ("cash.allocated", "cash.charge", "cash.unallocated", "cash.ignored"):
        assert action in actions


def test_a_collector_reads_but_does_not_decide(cash_url: str) -> None:
    receipt = ids(cash_url)["8"]
    with TestClient(create_app(cash_url)) as client:
        csrf = browser_login(client, "collector")
        assert 'href="/cash"' in client.get("/customers").text
        page = client.get(f"/cash/receipts/{receipt}").text
        assert "Confirmer la proposition" not in page and "Seuls un responsable crédit" in page
        refused = client.post(f"/cash/receipts/{receipt}/confirm", data={"csrf_token": csrf})
        assert refused.status_code == 403
        assert client.post("/cash/apply", data={"csrf_token": csrf}).status_code == 403
        assert client.get("/cash/receipts/999999").status_code == 404


def test_run_now_is_a_background_job(cash_url: str, tmp_path: Path) -> None:
    with unit_of_work(get_engine(cash_url)) as session:  # a new statement line: Acme quotes its RF reference
        session.add(BankTransactionRow(**LINES[0]))
    settings = Settings(database_url=cash_url, data_dir=tmp_path, jobs_backend="inprocess")
    with TestClient(create_app(cash_url, settings)) as client:
        csrf = browser_login(client, "credit_manager")
        assert "Non rapproché (3)" in client.get("/cash").text
        started = client.post("/cash/apply", data={"csrf_token": csrf}, follow_redirects=False)
        assert started.status_code == 303 and started.headers["location"] == "/cash?done=queued"
        with unit_of_work(get_engine(cash_url)) as session:
            [job] = jobs.list_jobs(session, kind="cash_application")
        assert job.requested_by == email("credit_manager")
        deadline = time.monotonic() + 120
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.1)
            with unit_of_work(get_engine(cash_url)) as session:
                job = jobs.get(session, job.job_id)
        assert job.status == "done", job.error
        page = client.get("/cash").text
        assert "Non rapproché (2)" in page and "Dernier rapprochement\u202f: terminée" in page
