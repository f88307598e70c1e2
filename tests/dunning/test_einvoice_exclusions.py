"""Invoices the e-invoicing lifecycle keeps out of dunning (SPEC §11) are in no reminder and on
no statement: refused (210), never legally issued (213, 220) or factored (225)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from tests.conftest import SmtpServer, invoke
from tests.dunning.test_dunning_recovery import small_ledger
from tests.dunning.test_statement_and_instalment import pdfs
from tests.einvoicing.cdar_messages import status_xml
from typer.testing import CliRunner

from encours.domain.records import Entry, EntryKind
from encours.einvoicing.service import StatusImport
from encours.ledger.import_service import SourceFile
from encours.storage.database import get_engine, unit_of_work

D = dt.date


def test_lifecycle_exclusions_reach_reminders_and_statements(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    small_ledger(
        sqlite_url,
        Entry("doc:A3", "ACME", EntryKind.INVOICE, "A3", D(2026, 9, 10), D(2026, 10, 30), Decimal("250.00")),
        Entry("doc:A5", "ACME", EntryKind.INVOICE, "A5", D(2026, 9, 12), D(2026, 10, 12), Decimal("40.00")),
        Entry("doc:A6", "ACME", EntryKind.INVOICE, "A6", D(2026, 8, 1), D(2026, 9, 1), Decimal("70.00")),
    )  # fmt: skip
    with unit_of_work(get_engine(sqlite_url)) as session:
        for number, code in (("A3", 225), ("A5", 220), ("A6", 210)):
            xml = status_xml(number, code, reason_code="AUTRE", at="20260910100000")
            StatusImport(session).import_source(SourceFile(Path(f"{number}.xml"), xml.encode(), "cdar"))
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-09-17", "--db", sqlite_url)
    assert code in (0, 3), err
    [acme] = [r.message for r in smtp_server.received if r.recipients[0] == "ap@acme.test"]
    [statement] = [text for name, text in pdfs(acme).items() if "statement" in name]
    listed = set(re.findall(r"\bA\d\b", statement))
    assert {"A1", "A2"} <= listed  # the statement is there, with the invoices still owed
    assert not listed & {"A3", "A5", "A6"}
    body = acme.get_body(preferencelist=("plain",))
    assert body is not None and "A6" not in body.get_content()
