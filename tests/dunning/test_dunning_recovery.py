"""Exactly once across crashes, thank-you messages, and casework suppressions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import DEMO_UNTIL, SmtpServer, invoke
from tests.dunning.conftest import store_ledger
from tests.dunning.letter_rows import invoice_rows
from typer.testing import CliRunner

from encours.audit.service import events
from encours.casework.disputes import open_dispute
from encours.casework.holds import HoldKind, place_hold
from encours.casework.plans import create_plan
from encours.casework.tasks import list_tasks
from encours.demo.generator import DemoLedger
from encours.domain.records import Allocation, Customer, Entry, EntryKind
from encours.dunning.service import list_actions, load_config, run
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.settings import get_settings
from encours.storage.database import get_engine, unit_of_work

ENCOURS = Path(sys.executable).parent / "encours"


def cli_process(db: str, data: Path, smtp: SmtpServer, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ, "ENCOURS_DATA_DIR": str(data), "ENCOURS_SMTP_URL": smtp.url,
        "ENCOURS_MAIL_FROM": "relances@encours.test", "ENCOURS_SMTP_CONCURRENCY": "1", **extra,
    }  # fmt: skip
    if "ENCOURS_FAULT_AFTER_SENDS" not in extra:
        env.pop("ENCOURS_FAULT_AFTER_SENDS", None)
    return subprocess.run(
        [str(ENCOURS), "dunning", "run", "--as-of", DEMO_UNTIL.isoformat(), "--db", db],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_a_run_killed_midway_is_completed_by_the_next_without_duplicates(
    cli: CliRunner, demo_db: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    data = tmp_path / "data"
    crashed = cli_process(demo_db, data, smtp_server, ENCOURS_FAULT_AFTER_SENDS="3")
    assert crashed.returncode == 86, crashed.stderr  # the process died hard after three deliveries
    assert len(smtp_server.received) == 3
    code, out, _ = invoke(cli, "dunning", "actions", "--format", "json", "--db", demo_db)
    assert code == 0
    statuses = Counter(row["status"] for row in json.loads(out))
    assert statuses["pending"] > 0 and statuses["sent"] > 0

    resumed = cli_process(demo_db, data, smtp_server)
    assert resumed.returncode == 0, resumed.stderr
    assert "0 actions decided" in resumed.stdout  # nothing decided twice: the markers hold
    message_ids = Counter(r.message["Message-ID"] for r in smtp_server.received)
    recipients = Counter(r for received in smtp_server.received for r in received.recipients)
    assert set(message_ids.values()) == {1}
    assert set(recipients.values()) == {1}
    code, out, _ = invoke(cli, "dunning", "actions", "--format", "json", "--db", demo_db)
    assert code == 0
    rows = json.loads(out)
    assert {row["status"] for row in rows} == {"sent"}
    assert len({row["customer_id"] for row in rows}) == len(recipients)

    again = cli_process(demo_db, data, smtp_server)
    assert again.returncode == 0, again.stderr
    assert len(smtp_server.received) == sum(message_ids.values())


D = dt.date


def small_ledger(url: str, *extra: Entry, allocations: tuple[Allocation, ...] = ()) -> None:
    customers = (
        Customer(
            "ACME",
            "Acme SA",
            email="ap@acme.test",
            language="fr",
            address_line1="3 rue Pasteur",
            postal_code="69007",
            city="Lyon",
        ),
        Customer(
            "BOLT",
            "Bolt Ltd",
            email="ap@bolt.test",
            language="en",
            country="GB",
            address_line1="12 Old Street",
            postal_code="EC1V 9HX",
            city="London",
        ),
        Customer(
            "CALM",
            "Calm SAS",
            email="ap@calm.test",
            address_line1="8 quai des Chartrons",
            postal_code="33000",
            city="Bordeaux",
        ),
    )
    entries = (
        Entry("doc:A1", "ACME", EntryKind.INVOICE, "A1", D(2026, 8, 1), D(2026, 9, 1), Decimal("1000.00")),
        Entry("doc:A2", "ACME", EntryKind.INVOICE, "A2", D(2026, 8, 2), D(2026, 9, 2), Decimal("500.00")),
        Entry("doc:B1", "BOLT", EntryKind.INVOICE, "B1", D(2026, 8, 1), D(2026, 9, 1), Decimal("700.00")),
        Entry("doc:C1", "CALM", EntryKind.INVOICE, "C1", D(2026, 8, 1), D(2026, 9, 1), Decimal("300.00")),
        *extra,
    )
    parsed = ParsedFile(
        file="inline", format="demo", customers=customers, entries=entries, allocations=allocations
    )
    digest = hashlib.sha256(repr(entries).encode()).digest()
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(parsed, SourceFile(Path("inline"), digest, "demo"))


def test_thank_you_once_the_reminded_invoices_are_paid(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    small_ledger(sqlite_url)
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-10", "--db", sqlite_url)
    assert code == 0, err
    assert sorted(r.recipients[0] for r in smtp_server.received) == [
        "ap@acme.test",
        "ap@bolt.test",
        "ap@calm.test",
    ]
    bolt = next(r.message for r in smtp_server.received if r.recipients[0] == "ap@bolt.test")
    assert "Reminder" in str(bolt["Subject"])  # English for an English-speaking customer

    payment = Entry(
        "pay:P1", "ACME", EntryKind.PAYMENT, "P1", D(2026, 9, 12), D(2026, 9, 12), Decimal("-1500.00")
    )
    allocations = (
        Allocation("pay:P1", "doc:A1", Decimal("1000.00"), D(2026, 9, 12)),
        Allocation("pay:P1", "doc:A2", Decimal("500.00"), D(2026, 9, 12)),
    )
    small_ledger(sqlite_url, payment, allocations=allocations)
    before = len(smtp_server.received)
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-14", "--db", sqlite_url)
    assert code == 0, err
    new = smtp_server.received[before:]
    assert [r.recipients[0] for r in new] == ["ap@acme.test"]
    assert "Merci" in str(new[0].message["Subject"])
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-15", "--db", sqlite_url)
    assert code == 0, err
    assert len(smtp_server.received) == before + 1


def test_casework_suppressions_and_tasks(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer, demo_ledger: DemoLedger
) -> None:
    small_ledger(sqlite_url)
    with unit_of_work(get_engine(sqlite_url)) as session:
        open_dispute(session, "ACME", "A1", reason="prix contesté", actor="test", opened_on=D(2026, 9, 5))
        place_hold(session, "CALM", HoldKind.PAUSE, actor="test", start_date=D(2026, 9, 1))
    code, out, err = invoke(
        cli, "dunning", "preview", "--as-of", "2026-10-05", "--format", "json", "--db", sqlite_url
    )
    assert code == 0, err
    planned = {(a["customer_id"], a["step"]): a["invoice_ids"] for a in json.loads(out)["actions"]}
    assert planned == {("ACME", "phone_call"): ["A2"], ("BOLT", "phone_call"): ["B1"]}
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-10-05", "--db", sqlite_url)
    assert code == 0, err
    texts = {r.recipients[0]: r.message.get_payload(decode=True).decode() for r in smtp_server.received}
    assert set(texts) == {"ap@acme.test", "ap@bolt.test"}
    assert re.search(r"\bA1\b", texts["ap@acme.test"]) is None
    assert re.search(r"\bA2\b", texts["ap@acme.test"]) is not None
    with unit_of_work(get_engine(sqlite_url)) as session:
        tasks = list_tasks(session)
    assert sorted((t.customer_id, t.kind, t.entry_keys) for t in tasks) == [
        ("ACME", "call", ("doc:A2",)),
        ("BOLT", "call", ("doc:B1",)),
    ]


def test_payment_plan_replaces_reminders_by_instalment_reminders(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    small_ledger(sqlite_url)
    with unit_of_work(get_engine(sqlite_url)) as session:
        create_plan(
            session, "ACME", ["A1", "A2"], start_date=D(2026, 9, 5), actor="test",
            instalments=[(D(2026, 9, 20), Decimal("750.00")), (D(2026, 10, 20), Decimal("750.00"))],
        )  # fmt: skip
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-16", "--db", sqlite_url)
    assert code == 0, err
    acme = [r.message for r in smtp_server.received if r.recipients[0] == "ap@acme.test"]
    assert len(acme) == 1
    body = acme[0].get_payload(decode=True).decode()
    assert "échéancier" in str(acme[0]["Subject"]) and "1/2" in body and "750,00\u00a0€" in body
    code, out, _ = invoke(cli, "dunning", "actions", "--format", "json", "--db", sqlite_url)
    steps = {(row["customer_id"], row["step"]) for row in json.loads(out)}
    assert ("ACME", "instalment:1:1") in steps
    assert not any(customer == "ACME" and not step.startswith("instalment:") for customer, step in steps)
    before = len(smtp_server.received)
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-17", "--db", sqlite_url)
    assert code == 0, err
    assert len(smtp_server.received) == before  # one reminder per instalment


def test_concurrent_runs_decide_and_deliver_each_action_once(
    db_url: str, demo_ledger: DemoLedger, dunning_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENCOURS_SMTP_URL")  # messages are written as files: count them
    store_ledger(db_url, demo_ledger)
    engine = get_engine(db_url)
    config = load_config(get_settings())
    barrier = threading.Barrier(2)
    results: list[int] = []
    failures: list[BaseException] = []

    def one_run() -> None:
        try:
            barrier.wait()
            results.append(len(run(engine, config, DEMO_UNTIL, None, actor="thread").decisions.actions))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures
    with unit_of_work(engine) as session:
        rows = list_actions(session)
        audited = Counter(e.action for e in events(session, limit=100_000))
    assert sorted(results)[0] == 0 and sorted(results)[1] == len(rows) > 0  # one run decided everything
    assert {row.status for row in rows} <= {"produced", "sent"}
    assert audited["dunning.decided"] == len(rows)
    assert audited["dunning.produced"] + audited["dunning.sent"] == len(rows)  # each delivered once
    files = list((dunning_env / "mail").glob("*.eml"))
    assert len(files) == len({row.customer_id for row in rows})


def test_contract_rate_and_waived_penalties_on_formal_notices(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    small_ledger(sqlite_url)
    assert invoke(cli, "dunning", "terms", "ACME", "--contract-rate", "20", "--db", sqlite_url)[0] == 0
    assert invoke(cli, "dunning", "terms", "BOLT", "--waive", "--db", sqlite_url)[0] == 0
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-10-17", "--db", sqlite_url)
    assert code == 0, err
    letters = {}
    for received in smtp_server.received:
        for part in received.message.walk():
            if (part.get_filename() or "").endswith("formal_notice.pdf"):
                reader = PdfReader(io.BytesIO(part.get_payload(decode=True)))
                letters[received.recipients[0]] = "\n".join(p.extract_text() for p in reader.pages)
    # ACME: A1 1000.00 due 2026-09-01, 46 days at the 20 % contract rate (floor 3 × 2.62 = 7.86 %):
    # 1000 × 46 × 20 / 36500 = 25.205… → 25.21, plus 40.00
    acme = invoice_rows(letters["ap@acme.test"])["A1"]
    assert "20,00\u00a0%" in acme and "25,21\u00a0€" in acme and "40,00\u00a0€" in acme
    assert "taux contractuel de 20,00\u00a0%" in letters["ap@acme.test"].replace("\n", " ")
    bolt = letters["ap@bolt.test"]
    assert "Interest" not in bolt and "B1" in bolt and "€700.00" in bolt
    with unit_of_work(get_engine(sqlite_url)) as session:
        actions = [e.action for e in events(session, customer_id="BOLT")]
    assert "penalties.waived" in actions
