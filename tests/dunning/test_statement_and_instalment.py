"""What a statement lists and what an instalment reminder asks for (casework that composes)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from email.message import Message
from pathlib import Path

from pypdf import PdfReader
from tests.conftest import SmtpServer, invoke
from tests.dunning.test_dunning_recovery import small_ledger
from typer.testing import CliRunner

from encours.casework.plans import create_plan
from encours.domain.records import Entry, EntryKind
from encours.storage.database import get_engine, unit_of_work

D = dt.date


def pdfs(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        name = part.get_filename()
        if name and name.endswith(".pdf"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[name] = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(payload)).pages)
    return found


def test_statement_lists_every_open_item_by_due_date_not_due_included_disputed_left_out(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    small_ledger(
        sqlite_url,
        Entry("doc:A3", "ACME", EntryKind.INVOICE, "A3", D(2026, 9, 10), D(2026, 10, 30), Decimal("250.00")),
        Entry("doc:A4", "ACME", EntryKind.INVOICE, "A4", D(2026, 7, 1), D(2026, 8, 20), Decimal("90.00"),
              disputed=True),
        Entry("doc:A5", "ACME", EntryKind.INVOICE, "A5", D(2026, 9, 12), D(2026, 10, 12), Decimal("40.00")),
    )  # fmt: skip
    # on 17 September A1 and A2 are 15-16 days late: a firm reminder with a statement attached
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-17", "--db", sqlite_url)
    assert code in (0, 3), err
    [acme] = [r.message for r in smtp_server.received if r.recipients[0] == "ap@acme.test"]
    [statement] = [text for name, text in pdfs(acme).items() if "statement" in name]
    listed = re.findall(r"\bA\d\b", statement)
    assert [ref for i, ref in enumerate(listed) if ref not in listed[:i]] == ["A1", "A2", "A5", "A3"]
    assert "A4" not in listed  # disputed: never in a reminder or a statement


def test_instalment_reminder_totals_the_instalment_not_the_plan(
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
    [acme] = [r.message for r in smtp_server.received if r.recipients[0] == "ap@acme.test"]
    body = acme.get_payload(decode=True).decode()
    totals = [line for line in body.splitlines() if line.startswith("Total")]
    assert totals and all("750,00" in line for line in totals), totals  # not 1 500,00, the plan's invoices
