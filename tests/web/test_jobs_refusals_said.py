"""Refusals raised away from a page (the schedule file, a job's missing exchange rate) said in the
reader's language where a page shows them: the jobs page and a failed job's page. On a database
of their own: the shared one's pages are read by other tests."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import browser_login, load_demo

from encours.demo.generator import DemoLedger
from encours.domain.errors import InvalidInput
from encours.domain.fx import FxTable
from encours.jobs import schedule, service
from encours.jobs.registry import JobContext, job_kind
from encours.settings import Settings
from encours.storage.database import unit_of_work
from encours.web.app import create_app


@job_kind("test_fx_job")
def converts_dollars(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Converts an amount with a table that has no dollar rate (a test kind)."""
    FxTable("fx_rates.csv", {}).per_eur("USD", dt.date(2026, 10, 31))
    return {}


def plain(html: str) -> str:
    """The page with French typography's narrow spaces (before ``:``, inside « ») as plain ones."""
    return html.replace("\u202f", " ").replace("\xa0", " ").replace("&#39;", "'")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def client(tmp_path: Path, data_dir: Path, demo_ledger: DemoLedger) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'said.db'}"
    load_demo(url, demo_ledger)
    with TestClient(create_app(url, Settings(data_dir=data_dir))) as served:
        yield served


@pytest.mark.parametrize(
    ("toml", "french", "english"),
    [
        ('[[job]]\nname = "relances"\nkind = "dunning_run"\ncron = "0 7 * *"\n',
         "la tâche 1 a une expression cron invalide « 0 7 * * »", "job 1: invalid cron '0 7 * *'"),
        ('[[job]]\nname = "typo"\nkind = "dunning_rnu"\ncron = "0 7 * * *"\n',
         "la tâche « typo » a une nature inconnue « dunning_rnu »", "job 'typo': unknown kind 'dunning_rnu'"),
        ('timezone = "Europe/Pariss"\n', "fuseau horaire inconnu « Europe/Pariss »",
         "unknown time zone 'Europe/Pariss'"),
        ("[[job]\n", "n'est pas un fichier TOML valide (ligne 1)", "is not valid TOML"),
    ],
)  # fmt: skip
def test_a_wrong_schedule_file_is_told_on_the_jobs_page_in_the_readers_language(
    client: TestClient, data_dir: Path, toml: str, french: str, english: str
) -> None:
    (data_dir / "schedule.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        schedule.check_kinds(schedule.load(data_dir))
    assert refused.value.code and english in refused.value.message  # the CLI's English
    browser_login(client, "credit_manager")
    page = plain(client.get("/jobs").text)
    assert 'id="schedule-problem"' in page and "Les tâches planifiées ne démarrent pas" in page
    assert french in page and english not in page
    client.post("/logout", data={"csrf_token": ""})
    client.cookies.clear()
    browser_login(client, "sales")  # reads English
    page = plain(client.get("/jobs").text)
    assert "No scheduled job starts" in page and english in page and french not in page


def test_the_shipped_schedule_shows_no_problem(client: TestClient) -> None:
    browser_login(client, "credit_manager")
    assert 'id="schedule-problem"' not in client.get("/jobs").text


def test_a_job_refused_for_a_missing_exchange_rate_says_why_in_french(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with unit_of_work(engine) as session:
        job_id = service.enqueue(session, "test_fx_job", {}, requested_by="test").job_id
    for _ in range(400):
        with unit_of_work(engine) as session:
            job = service.get(session, job_id)
        if job.finished:
            break
        time.sleep(0.05)
    assert job.status == "failed" and job.error is not None and "no exchange rate for USD" in job.error
    browser_login(client, "credit_manager")
    page = plain(client.get(f"/jobs/{job_id}").text)
    assert "aucun taux de change pour USD au 31/10/2026 ou avant dans fx_rates.csv" in page
    assert "no exchange rate" not in page
