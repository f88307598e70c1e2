"""Dunning from the API and the browser's forms (SPEC §9, §12): a run is a job answered 202,
its page lists the actions it decided; the preview is the outbox's own message; pauses hold."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import DEMO_UNTIL
from tests.web.conftest import browser_login, load_demo, token_for

from encours.demo.generator import DemoLedger
from encours.jobs import inprocess
from encours.storage.database import get_engine
from encours.web.app import create_app

AS_OF = DEMO_UNTIL.isoformat()


@pytest.fixture
def own_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_ledger: DemoLedger
) -> Iterator[tuple[TestClient, str, Path]]:
    """A demo database of its own (runs change it), e-mails written as files in the data dir."""
    data = tmp_path / "data"
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(data))
    monkeypatch.delenv("ENCOURS_SMTP_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'encours.db'}"
    load_demo(url, demo_ledger)
    with TestClient(create_app(url)) as client:
        yield client, url, data


def auth(client: TestClient, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(client, role)}"}


def finished(client: TestClient, headers: dict[str, str], job_id: int, url: str) -> dict[str, object]:
    inprocess.wait_idle(get_engine(url))
    response = client.get(f"/api/v1/dunning/runs/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_run_is_a_job_answered_202_and_its_page_lists_the_actions(
    own_app: tuple[TestClient, str, Path],
) -> None:
    client, url, _ = own_app
    manager = auth(client, "credit_manager")
    refused = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF}, headers=auth(client, "collector"))
    assert refused.status_code == 403
    assert (
        client.post("/api/v1/dunning/runs", json={"as_of": "9999-12-31"}, headers=manager).status_code == 422
    )

    dry = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF, "dry_run": True}, headers=manager)
    assert dry.status_code == 202 and dry.json()["kind"] == "dunning_run"
    assert set(dry.json()) >= {
        "job_id",
        "kind",
        "status",
        "attempts",
        "queued_at",
        "started_at",
        "finished_at",
        "error",
    }
    done = finished(client, manager, dry.json()["job_id"], url)
    assert done["status"] == "done" and done["run_id"] is None and done["actions"] == []
    planned = done["result"]["actions"]  # type: ignore[index]
    assert planned > 0

    started = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF, "dry_run": False}, headers=manager)
    assert started.status_code == 202
    job = finished(client, manager, started.json()["job_id"], url)
    assert job["status"] == "done", job
    actions = job["actions"]
    assert isinstance(actions, list) and len(actions) == planned
    assert {a["status"] for a in actions} <= {"sent", "produced"}
    delivered = job["delivered"]  # the delivery shards' progress, and their counts
    assert isinstance(delivered, dict) and delivered["done"] == delivered["total"] and delivered["total"]
    assert isinstance(job["delivery"], dict) and job["delivery"]["files"] > 0
    # what was sent can be found again: each e-mail's copy, as written
    for a in actions:
        if a["channel"] == "email":
            assert a["document"] and Path(a["document"]).is_file()
    again = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF}, headers=manager)
    assert finished(client, manager, again.json()["job_id"], url)["actions"] == []  # nothing twice
    assert client.get("/api/v1/dunning/runs/999999", headers=manager).status_code == 404


def test_the_preview_is_the_message_the_run_sends(own_app: tuple[TestClient, str, Path]) -> None:
    client, url, data = own_app
    manager = auth(client, "credit_manager")
    dry = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF, "dry_run": True}, headers=manager)
    finished(client, manager, dry.json()["job_id"], url)
    rows = client.get(f"/api/v1/dunning/preview/C00001?as_of={AS_OF}", headers=manager)
    assert rows.status_code == 200
    previews = {}
    for n in range(1, 16):
        customer = f"C{n:05d}"
        found = client.get(f"/api/v1/dunning/preview/{customer}?as_of={AS_OF}", headers=manager).json()
        if found["subject"]:
            previews[customer] = found
    assert len(previews) >= 4
    started = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF}, headers=manager)
    job = finished(client, manager, started.json()["job_id"], url)
    assert job["status"] == "done"
    sent = {}  # no SMTP configured: each message was written whole under the data directory
    for path in sorted((data / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        sent[str(message["X-Encours-Customer"])] = message
    assert set(previews) <= set(sent) | {c for c, p in previews.items() if not p["to"]}
    for customer, preview in previews.items():
        if customer not in sent:
            continue
        message = sent[customer]
        assert preview["subject"] == message["Subject"]
        assert preview["body"] == message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        attached = sorted(p.get_filename() for p in message.iter_attachments())
        assert sorted(preview["letters"]) == attached


def test_a_paused_customer_is_left_out_of_runs_until_the_date(own_app: tuple[TestClient, str, Path]) -> None:
    client, url, _ = own_app
    manager = auth(client, "credit_manager")
    collector = auth(client, "collector")
    customer = next(
        f"C{n:05d}" for n in range(1, 41)
        if client.get(f"/api/v1/dunning/preview/C{n:05d}?as_of={AS_OF}", headers=collector).json()["steps"]
    )  # fmt: skip
    until = (DEMO_UNTIL + dt.timedelta(days=10)).isoformat()
    paused = client.post(
        f"/api/v1/customers/{customer}/dunning-pause?as_of={AS_OF}", json={"until": until}, headers=collector
    )
    assert paused.status_code == 201, paused.text
    assert (
        client.get(f"/api/v1/dunning/preview/{customer}?as_of={AS_OF}", headers=collector).json()["steps"]
        == []
    )
    started = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF}, headers=manager)
    job = finished(client, manager, started.json()["job_id"], url)
    assert job["actions"] and customer not in {a["customer_id"] for a in job["actions"]}  # type: ignore[attr-defined]
    after = (DEMO_UNTIL + dt.timedelta(days=11)).isoformat()
    assert client.get(f"/api/v1/dunning/preview/{customer}?as_of={after}", headers=collector).json()["steps"]
    assert client.delete(f"/api/v1/customers/{customer}/dunning-pause", headers=collector).status_code == 204


def test_preview_approve_run_and_history_in_the_screens(own_app: tuple[TestClient, str, Path]) -> None:
    client, url, _ = own_app
    csrf = browser_login(client, "credit_manager")
    page = client.get("/dunning", params={"as_of": AS_OF, "preview": "true"})
    assert page.status_code == 200 and 'id="approve-and-run"' in page.text
    link = re.search(r'class="message-preview" href="([^"]+)"', page.text)
    assert link is not None
    preview = client.get(html.unescape(link.group(1)))
    assert preview.status_code == 200 and 'id="email-subject"' in preview.text
    subject = html.unescape(re.search(r'id="email-subject">([^<]+)<', preview.text).group(1))  # type: ignore[union-attr]
    letters = re.findall(r'class="letter" href="([^"]+)"', preview.text)
    for href in letters:
        pdf = client.get(html.unescape(href))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Approuver et lancer" in preview.text and "Approve" not in preview.text
    started = client.post("/dunning/runs", data={"as_of": AS_OF, "csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303
    inprocess.wait_idle(get_engine(url))
    job = client.get(started.headers["location"])
    assert 'data-status="done"' in job.text and "terminée" in job.text
    history = client.get("/dunning/history")
    emails = re.findall(r'class="sent-email" href="([^"]+)"', history.text)
    assert emails
    subjects = set()
    for href in emails[:60]:
        shown = client.get(href)
        assert shown.status_code == 200
        subjects.add(html.unescape(re.search(r'id="email-subject">([^<]*)<', shown.text).group(1)))  # type: ignore[union-attr]
    assert subject in subjects  # the message sent is the one previewed
    documents = re.findall(r'class="sent-letter" href="([^"]+)"', history.text)
    assert documents and client.get(documents[0]).content.startswith(b"%PDF")
    assert client.get("/dunning/actions/999999/document").status_code == 404


def test_pause_from_the_customer_sheet_is_shown_and_lifted(own_app: tuple[TestClient, str, Path]) -> None:
    client, _, _ = own_app
    csrf = browser_login(client, "collector")
    until = (DEMO_UNTIL + dt.timedelta(days=5)).isoformat()
    done = client.post(
        f"/customers/C00002/dunning-pause?as_of={AS_OF}",
        data={"until": until, "csrf_token": csrf, "back": "/customers/C00002"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/customers/C00002"
    sheet = client.get(f"/customers/C00002?as_of={AS_OF}")
    assert 'id="paused-until"' in sheet.text and "Relances suspendues jusqu" in sheet.text
    preview = client.get(f"/dunning/customers/C00002/preview?as_of={AS_OF}")
    assert 'id="no-message"' in preview.text
    client.post("/customers/C00002/dunning-resume", data={"csrf_token": csrf}, follow_redirects=False)
    assert 'id="paused-until"' not in client.get(f"/customers/C00002?as_of={AS_OF}").text


def test_what_was_sent_is_found_over_the_api(own_app: tuple[TestClient, str, Path]) -> None:
    client, url, _ = own_app
    manager, sales = auth(client, "credit_manager"), auth(client, "sales")
    assert client.get("/api/v1/dunning/history", headers=manager).json() == []
    started = client.post("/api/v1/dunning/runs", json={"as_of": AS_OF}, headers=manager)
    actions = finished(client, manager, started.json()["job_id"], url)["actions"]
    assert isinstance(actions, list) and actions
    history = client.get("/api/v1/dunning/history", headers=sales)  # everyone may read what was sent
    assert history.status_code == 200
    rows = history.json()
    assert {r["action_id"] for r in rows} == {
        a["action_id"] for a in actions if a["status"] in ("sent", "produced")
    }
    assert [r["action_id"] for r in rows] == sorted((r["action_id"] for r in rows), reverse=True)
    one = rows[0]["customer_id"]
    assert {r["customer_id"] for r in client.get("/api/v1/dunning/history", params={"customer_id": one},
                                                   headers=sales).json()} == {one}  # fmt: skip
    mailed = next(r for r in rows if r["channel"] == "email")
    shown = client.get(f"/api/v1/dunning/actions/{mailed['action_id']}/email", headers=sales)
    assert shown.status_code == 200, shown.text
    kept = email.message_from_bytes(Path(mailed["document"]).read_bytes(), policy=email.policy.default)
    assert shown.json()["headers"]["Subject"] == kept["Subject"]
    assert shown.json()["body"] == kept.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    lettered = [r for r in rows if str(r["document"] or "").endswith(".pdf")]
    assert lettered
    pdf = client.get(f"/api/v1/dunning/actions/{lettered[0]['action_id']}/document", headers=sales)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        client.get(f"/api/v1/dunning/actions/{mailed['action_id']}/document", headers=sales).status_code
        == 404
    )
    assert client.get("/api/v1/dunning/actions/999999/email", headers=sales).status_code == 404
    assert client.get("/api/v1/dunning/actions/0/email", headers=sales).status_code == 422
    assert client.get("/api/v1/dunning/history").status_code == 401


def test_a_preview_letter_over_the_api(own_app: tuple[TestClient, str, Path]) -> None:
    client, _, _ = own_app
    sales = auth(client, "sales")
    for n in range(1, 60):
        found = client.get(f"/api/v1/dunning/preview/C{n:05d}", params={"as_of": AS_OF}, headers=sales).json()
        if found["letters"]:
            break
    else:
        raise AssertionError("no customer of the demo gets a letter")
    url = f"/api/v1/dunning/preview/{found['customer_id']}/letters/{found['letters'][0]}"
    pdf = client.get(url, params={"as_of": AS_OF}, headers=sales)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(url, params={"as_of": "2101-01-01"}, headers=sales).status_code == 422
    assert client.get(url + "-nope.pdf", params={"as_of": AS_OF}, headers=sales).status_code == 404
    assert client.get(url, params={"as_of": AS_OF}).status_code == 401
