"""Failures nobody can miss (SPEC §8): reasons, exit 3, retries by the next run, a collector's
task after the third attempt — against real SMTP servers on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Collector, SmtpServer, free_port, invoke, smtp_serving
from typer.testing import CliRunner

from encours.casework import notifications
from encours.casework.assignment import assign
from encours.casework.tasks import list_tasks
from encours.domain.records import Customer, Entry, EntryKind
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService

D = dt.date
AS_OF = "2026-09-10"  # every invoice of the ledger below is 9 days late: one reminder each


def ledger(url: str, calm_email: str | None) -> None:
    """Three customers; CALM's e-mail as given (a re-import with another one fixes it)."""
    customers = (
        Customer("ACME", "Acme SA", email="ap@acme.test", language="fr"),
        Customer("BOLT", "Bolt Ltd", email="ap@bolt.test", language="en"),
        Customer("CALM", "Calm SAS", email=calm_email),
    )
    entries = (
        Entry("doc:A1", "ACME", EntryKind.INVOICE, "A1", D(2026, 8, 1), D(2026, 9, 1), Decimal("1000.00")),
        Entry("doc:B1", "BOLT", EntryKind.INVOICE, "B1", D(2026, 8, 1), D(2026, 9, 1), Decimal("700.00")),
        Entry("doc:C1", "CALM", EntryKind.INVOICE, "C1", D(2026, 8, 1), D(2026, 9, 1), Decimal("300.00")),
        Entry("doc:C2", "CALM", EntryKind.INVOICE, "C2", D(2026, 8, 3), D(2026, 9, 3), Decimal("45.10")),
    )
    parsed = ParsedFile(file="inline", format="demo", customers=customers, entries=entries, allocations=())
    digest = hashlib.sha256(repr(customers).encode()).digest()
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(parsed, SourceFile(Path(f"inline-{calm_email}"), digest, "demo"))


def actions(cli: CliRunner, db: str) -> list[dict[str, Any]]:
    code, out, err = invoke(cli, "dunning", "actions", "--format", "json", "--db", db)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def run(cli: CliRunner, db: str, as_of: str = AS_OF) -> tuple[int, str, str]:
    return invoke(cli, "dunning", "run", "--as-of", as_of, "--db", db)


def test_no_email_fails_with_its_reason_exit_3_then_delivered_once_the_address_is_fixed(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    ledger(sqlite_url, calm_email=None)
    code, out, _ = run(cli, sqlite_url)
    assert code == 3
    assert "NOT DELIVERED: 1 customer\n" in out
    assert "failed  CALM (reminder): no e-mail address [attempt 1/3: decided again by the next run]" in out
    assert sorted(r.recipients[0] for r in smtp_server.received) == ["ap@acme.test", "ap@bolt.test"]
    calm = [row for row in actions(cli, sqlite_url) if row["customer_id"] == "CALM"]
    assert [(r["status"], r["reason"], r["attempts"], r["invoice_ids"]) for r in calm] == [
        ("failed", "no e-mail address", 1, ["C1", "C2"])
    ]
    code, table, _ = invoke(cli, "dunning", "actions", "--db", sqlite_url)
    assert code == 0 and "no e-mail address" in table

    ledger(sqlite_url, calm_email="compta@calm.test")  # the address is fixed by a re-import
    code, out, err = run(cli, sqlite_url)
    assert code == 0, out + err
    assert "1 actions decided" in out  # the failed reminder's invoices were decided again, not skipped
    new = [r for r in smtp_server.received if r.recipients == ("compta@calm.test",)]
    assert len(new) == 1
    body = new[0].message.get_body(("plain",)).get_content()
    assert "C1" in body and "C2" in body
    assert Counter(r.recipients[0] for r in smtp_server.received) == {
        "ap@acme.test": 1, "ap@bolt.test": 1, "compta@calm.test": 1,
    }  # fmt: skip
    rows = actions(cli, sqlite_url)
    calm = [r for r in rows if r["customer_id"] == "CALM"]
    assert [r["status"] for r in calm] == ["failed", "sent"]
    assert calm[0]["reason"] == (
        f"no e-mail address; its invoices were delivered since by action {calm[1]['action_id']}"
    )
    code, out, _ = run(cli, sqlite_url)  # nothing left: nothing sent twice
    assert code == 0 and "0 actions decided" in out and len(smtp_server.received) == 3


def test_third_failed_attempt_becomes_a_task_for_the_assigned_collector(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    ledger(sqlite_url, calm_email=None)
    with unit_of_work(get_engine(sqlite_url)) as session:
        UserService(session).create(
            "marie@encours.test", "collector", "Quartz-ravine-tabouret-1987", actor="t"
        )
        assign(session, "CALM", "collector", "marie@encours.test", actor="test")
    outputs = []
    for day in ("2026-09-10", "2026-09-11", "2026-09-12"):
        code, out, _ = run(cli, sqlite_url, day)
        assert code == 3
        outputs.append(out)
    assert "attempt 2/3: decided again by the next run" in outputs[1]
    assert "task 1 opened for the collector" in outputs[2] and "attempt 3/3" in outputs[2]
    with unit_of_work(get_engine(sqlite_url)) as session:
        tasks = list_tasks(session, customer_id="CALM")
    assert [(t.kind, t.assignee, t.entry_keys) for t in tasks] == [
        ("delivery", "marie@encours.test", ("doc:C1", "doc:C2"))
    ]
    with unit_of_work(get_engine(sqlite_url)) as session:  # and she is told (a user, she is the collector)
        marie = UserService(session).by_email("marie@encours.test")
        assert marie is not None
        [told] = notifications.latest(session, marie.id)
    assert (told.kind, told.customer_id) == ("failed_delivery", "CALM") and "3 tentatives" in told.message
    assert "no e-mail address" in tasks[0].title and "3 tentatives" in tasks[0].title
    calm = [r for r in actions(cli, sqlite_url) if r["customer_id"] == "CALM"]
    assert [(r["status"], r["attempts"]) for r in calm] == [("failed", 1), ("failed", 2), ("failed", 3)]
    assert calm[-1]["reason"] == "no e-mail address (task 1)"
    code, out, _ = run(cli, sqlite_url, "2026-09-13")  # the collector has it now: no fourth attempt
    assert code == 0 and "0 actions decided" in out


class Refusing(Collector):
    """Refuses one mailbox at RCPT, as a real server does for an address that does not exist."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address == "nobody@calm.test":
            return "550 5.1.1 <nobody@calm.test>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_server(monkeypatch: pytest.MonkeyPatch, dunning_env: Path) -> Iterator[Refusing]:
    handler = Refusing()
    with smtp_serving(handler) as url:
        monkeypatch.setenv("ENCOURS_SMTP_URL", url)
        yield handler


def test_smtp_refusal_fails_with_the_servers_reply(
    cli: CliRunner, sqlite_url: str, refusing_server: Refusing
) -> None:
    ledger(sqlite_url, calm_email="nobody@calm.test")
    code, out, _ = run(cli, sqlite_url)
    assert code == 3
    line = next(line for line in out.splitlines() if "CALM" in line)
    assert line.strip().startswith("failed  CALM (reminder): SMTP server refused")
    assert "550" in line and "User unknown" in line
    calm = next(r for r in actions(cli, sqlite_url) if r["customer_id"] == "CALM")
    assert calm["status"] == "failed" and "550" in calm["reason"] and calm["attempts"] == 1
    assert sorted(r.recipients[0] for r in refusing_server.received) == ["ap@acme.test", "ap@bolt.test"]


def test_server_down_leaves_actions_pending_with_the_reason_then_delivers_them(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger(sqlite_url, calm_email="compta@calm.test")
    port = free_port()  # nothing listens there yet
    monkeypatch.setenv("ENCOURS_SMTP_URL", f"smtp://127.0.0.1:{port}")
    code, out, err = run(cli, sqlite_url)
    assert code == 3
    assert "NOT DELIVERED: 3 customers" in out and "were not reached" in err
    assert f"pending ACME (reminder): SMTP server 127.0.0.1:{port} unreachable" in out
    assert "[attempt 1/3: retried by the next run]" in out
    rows = actions(cli, sqlite_url)
    assert {(r["status"], r["attempts"]) for r in rows} == {("pending", 1)}
    assert all("unreachable" in r["reason"] for r in rows)

    collector = Collector()
    with smtp_serving(collector, port):  # the server is back
        code, out, err = run(cli, sqlite_url)
    assert code == 0, out + err
    assert "0 actions decided" in out and "delivered: 3 e-mails" in out
    assert sorted(r.recipients[0] for r in collector.received) == [
        "ap@acme.test",
        "ap@bolt.test",
        "compta@calm.test",
    ]
    rows = actions(cli, sqlite_url)
    assert {(r["status"], r["reason"]) for r in rows} == {("sent", None)}


def test_dashboard_lists_failed_deliveries_until_delivered(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    from encours.web.dashboard import failed_delivery_rows

    ledger(sqlite_url, calm_email=None)
    assert run(cli, sqlite_url)[0] == 3
    with unit_of_work(get_engine(sqlite_url)) as session:
        shown = failed_delivery_rows(session)
    assert shown["count"] == 1 and shown["customers"] == 1
    assert shown["rows"][0]["customer"] == "CALM" and shown["rows"][0]["reason"] == "no e-mail address"
    ledger(sqlite_url, calm_email="compta@calm.test")
    assert run(cli, sqlite_url)[0] == 0
    with unit_of_work(get_engine(sqlite_url)) as session:
        assert failed_delivery_rows(session)["count"] == 0  # delivered since: no longer a failure to see


def test_actions_left_pending_join_the_next_runs_message_one_email_per_customer(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC §8: a later run sends at most one e-mail per customer, carrying what an earlier run
    left pending beside its own actions, each invoice under its most advanced step."""
    ledger(sqlite_url, calm_email="compta@calm.test")
    port = free_port()  # nothing listens there: the first run's reminders stay pending
    monkeypatch.setenv("ENCOURS_SMTP_URL", f"smtp://127.0.0.1:{port}")
    assert run(cli, sqlite_url)[0] == 3
    first = {r["action_id"] for r in actions(cli, sqlite_url)}
    assert {r["step"] for r in actions(cli, sqlite_url)} == {"reminder"}

    collector = Collector()
    with smtp_serving(collector, port):
        code, out, err = run(cli, sqlite_url, "2026-09-20")  # 19 days late: the firm reminder is due
    assert code == 0, out + err
    assert "delivered: 3 e-mails" in out
    rows = actions(cli, sqlite_url)
    assert {r["status"] for r in rows} == {"sent"}
    assert Counter(r.recipients[0] for r in collector.received) == {
        "ap@acme.test": 1, "ap@bolt.test": 1, "compta@calm.test": 1,
    }  # fmt: skip
    for received in collector.received:
        carried = {int(i) for i in str(received.message["X-Encours-Actions"]).split(",")}
        customer = str(received.message["X-Encours-Customer"])
        mine = {r["action_id"]: r["step"] for r in rows if r["customer_id"] == customer}
        assert carried == set(mine) and set(mine.values()) == {"reminder", "firm_reminder"}
        assert carried & first and carried - first
        assert str(received.message["Subject"]).startswith(("Relance", "Second reminder"))
        body = received.message.get_body(("plain",)).get_content()
        invoices = [i for r in rows if r["customer_id"] == customer for i in r["invoice_ids"]]
        for invoice in set(invoices):  # listed once, under the firm reminder's heading
            assert body.count(f" {invoice} ") + body.count(f" {invoice}\n") == 1, body
