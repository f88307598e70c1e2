"""The collector's screens through their forms: worklist filters and saved views, bulk actions,
the sheet's promise on ticked invoices, tasks, and French pages without English."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from email import message_from_bytes
from email import policy as mail_policy
from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import AS_OF, browser_login, email

from encours.audit.service import events
from encours.casework.promises import list_promises
from encours.casework.suppression import dunning_suppressions
from encours.jobs import service
from encours.settings import Settings
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import create_app

AT = {"as_of": AS_OF}
FRENCH_ONLY = ("Worklist", "Saved views", "Next action", "Due today", "Resolve", "Broken", "Overdue")


def worklist_ids(client: TestClient, **params: str) -> list[str]:
    page = client.get("/worklist", params={**AT, **params})
    assert page.status_code == 200
    return [part.split('"')[0] for part in page.text.split('data-customer="')[1:]]


def test_worklist_filters_views_and_bulk_assignment(own_url: str, tmp_path: Path) -> None:
    # the copy of the shared demo may hold assignments other tests made: this collector starts with none
    with sqlite3.connect(own_url.removeprefix("sqlite:///")) as db:
        db.execute("DELETE FROM customer_assignments WHERE assignee = ?", (email("collector"),))
    with TestClient(create_app(own_url, Settings(database_url=own_url, data_dir=tmp_path))) as client:
        csrf = browser_login(client, "collector")
        everyone = worklist_ids(client)
        assert len(everyone) > 5  # no customer of their own yet: the collector sees everyone
        chosen = everyone[2:4]
        back = f"/worklist?as_of={AS_OF}"
        done = client.post(
            "/worklist/bulk", follow_redirects=False,
            data={"csrf_token": csrf, "action": "assign", "customer_ids": chosen,
                  "assignee": email("collector"), "as_of": AS_OF, "back": back},
        )  # fmt: skip
        assert done.status_code == 303 and "done=assign" in done.headers["location"]
        assert worklist_ids(client) == chosen  # now the collector's home is their own customers
        assert worklist_ids(client, collector="") == everyone
        assert not set(chosen) & set(worklist_ids(client, collector="-"))
        saved = client.post(
            "/worklist/views", follow_redirects=False,
            data={"csrf_token": csrf, "name": "Mes gros retards", "query": "collector=&bucket=91%2B"},
        )  # fmt: skip
        assert saved.status_code == 303
        page = client.get("/worklist", params=AT).text
        assert "Mes gros retards" in page and "bucket=91%2B" in page
        statement = client.post(
            "/worklist/bulk", follow_redirects=False,
            data={"csrf_token": csrf, "action": "statement", "customer_ids": chosen[:1], "as_of": AS_OF,
                  "back": back},
        )  # fmt: skip
        assert statement.status_code == 303 and statement.headers["location"].startswith("/jobs/")  # a job
        job_id = int(statement.headers["location"].rsplit("/", 1)[1])
        for _ in range(600):
            with unit_of_work(get_engine(own_url)) as session:
                if service.get(session, job_id).finished:
                    break
            time.sleep(0.1)
        assert "terminée" in client.get(statement.headers["location"]).text
        [written] = (tmp_path / "mail").glob("*.eml")
        mail = message_from_bytes(written.read_bytes(), policy=mail_policy.default)
        [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
        assert pdf.get_content().startswith(b"%PDF")
        no_date = client.post(
            "/worklist/bulk",
            data={"csrf_token": csrf, "action": "pause", "customer_ids": chosen, "until": "2101-01-01"},
        )
        assert no_date.status_code == 422  # never a 500
    other = TestClient(create_app(own_url))
    with other:
        browser_login(other, "credit_manager")
        assert "Mes gros retards" not in other.get("/worklist", params=AT).text  # views are per user
    with unit_of_work(get_engine(own_url)) as session:
        assert [e.action for e in events(session, chosen[0]) if e.action.startswith("dunning.")] == [
            "dunning.statement_sent"
        ]


def test_the_sheet_promises_on_the_ticked_invoices_only(own_url: str) -> None:
    cid = "C00003"
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")
        sheet = client.get(f"/customers/{cid}", params=AT).text
        ticked = [part.split('"')[0] for part in sheet.split('name="invoice_ids" value="')[1:]]
        assert len(ticked) >= 4  # both forms list every open invoice, ticked by default
        chosen = ticked[:1]
        form = {"csrf_token": csrf, "amount": "1 000,00", "promised_date": "2026-11-20", "as_of": AS_OF,
                "invoice_ids": chosen}  # fmt: skip
        far = client.post(f"/customers/{cid}/promise", data={**form, "promised_date": "2101-01-01"})
        assert far.status_code == 422
        made = client.post(f"/customers/{cid}/promise", data=form, follow_redirects=False)
        assert made.status_code == 303, made.text
    with unit_of_work(get_engine(own_url)) as session:
        [promise] = list_promises(session, cid)
        paused = dunning_suppressions(session, dt.date.fromisoformat(AS_OF)).promised_until
    assert [k.removeprefix("doc:") for k in promise.entry_keys] == chosen and promise.amount == 1000
    assert {k for k in paused if k.removeprefix("doc:") in ticked} == set(promise.entry_keys)


def test_tasks_planned_from_the_screen(own_url: str) -> None:
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")
        form = {"csrf_token": csrf, "customer_id": "C00005", "kind": "callback", "due_date": AS_OF,
                "assignee": email("collector"), "title": "rappeler la comptable"}  # fmt: skip
        assert client.post("/tasks", data={**form, "due_date": "1989-12-31"}).status_code == 422
        assert client.post("/tasks", data={**form, "assignee": "jdupont"}).status_code == 422
        assert client.post("/tasks", data=form, follow_redirects=False).status_code == 303
        page = client.get("/tasks", params=AT).text
        today = page.split('id="tasks-due_today"')[1].split("</section>")[0]
        assert "rappeler la comptable" in today and "Rappel" in today
        for path in (
            "/tasks",
            "/worklist",
            "/disputes",
            "/promises",
            "/plans",
            "/litigation",
            "/notifications",
        ):
            text = client.get(path, params=AT).text
            assert not [w for w in FRENCH_ONLY if f">{w}<" in text or f" {w}<" in text], path
