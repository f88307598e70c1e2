"""Users' files: scenarios per segment and risk segment, templates overriding the shipped ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import SmtpServer, invoke
from typer.testing import CliRunner

from encours.domain.escalation import NoticePeriod
from encours.domain.records import Customer, Entry, EntryKind
from encours.dunning.service import ConfigurationError, notice_period
from encours.foresight.models import RiskScoreRow
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.ledger.models import CustomerRow
from encours.storage.database import get_engine, unit_of_work

D = dt.date
FAST = """
description = "Key accounts: a gentle first reminder one day after the due date"
segments = ["key"]
[[steps]]
key = "early_reminder"
offset_days = 1
channel = "email"
template = "reminder"
"""
RISKY = """
risk_segments = ["E"]
[[steps]]
key = "risky_call"
offset_days = 1
channel = "phone"
template = "phone_call"
"""


def ledger(url: str) -> None:
    customers = (
        Customer("KEY", "Key Account SA", email="ap@key.test", segment="key"),
        Customer("RISK", "Risky SARL", email="ap@risk.test"),
        Customer("PLAIN", "Plain SAS", email="ap@plain.test"),
    )
    entries = tuple(
        Entry(f"doc:{c}1", c, EntryKind.INVOICE, f"{c}1", D(2026, 9, 1), D(2026, 10, 1), Decimal("100.00"))
        for c in ("KEY", "RISK", "PLAIN")
    )
    parsed = ParsedFile(file="inline", format="demo", customers=customers, entries=entries, allocations=())
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(
            parsed, SourceFile(Path("inline"), hashlib.sha256(b"x").digest(), "demo")
        )
        risk_pk = session.query(CustomerRow.id).filter(CustomerRow.customer_id == "RISK").scalar()
        session.add(
            RiskScoreRow(customer_pk=risk_pk, as_of=D(2026, 9, 30), score=12, segment="E", reasons=[],
                         recommended_credit_limit_cents=0)
        )  # fmt: skip


def test_scenario_by_segment_then_risk_segment_then_default(
    cli: CliRunner, sqlite_url: str, dunning_env: Path
) -> None:
    ledger(sqlite_url)
    folder = dunning_env / "scenarios"
    folder.mkdir(parents=True)
    (folder / "key_accounts.toml").write_text(FAST, encoding="utf-8")
    (folder / "risky.toml").write_text(RISKY, encoding="utf-8")
    code, out, err = invoke(
        cli, "dunning", "preview", "--as-of", "2026-10-02", "--format", "json", "--db", sqlite_url
    )
    assert code == 0, err
    planned = {(a["customer_id"], a["scenario"], a["step"]) for a in json.loads(out)["actions"]}
    assert planned == {
        ("KEY", "key_accounts", "early_reminder"),
        ("RISK", "risky", "risky_call"),
        ("PLAIN", "default_fr_b2b", "courtesy"),  # one day late: the courtesy step still applies
    }


def test_user_templates_override_the_shipped_ones(
    cli: CliRunner, sqlite_url: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    ledger(sqlite_url)
    custom = dunning_env / "templates" / "fr" / "email"
    custom.mkdir(parents=True)
    (custom / "reminder.txt").write_text(
        '{% extends "fr/email/base.txt" %}{% block subject %}Petit rappel maison{% endblock %}'
        "{% block intro %}Texte de notre maison.{% endblock %}\n",
        encoding="utf-8",
    )
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-10-05", "--db", sqlite_url)
    assert code == 0, err
    subjects = {r.recipients[0]: str(r.message["Subject"]) for r in smtp_server.received}
    assert subjects["ap@plain.test"].startswith("Petit rappel maison")
    body = next(r.message for r in smtp_server.received if r.recipients[0] == "ap@plain.test")
    assert "Texte de notre maison." in body.get_payload(decode=True).decode()


def test_notice_period_is_read_from_company_toml_and_a_bad_value_is_refused(tmp_path: Path) -> None:
    assert notice_period(None) == NoticePeriod(8, 7)
    (tmp_path / "company.toml").write_text("payment_days_after_notice = 10\nnotice_postal_days = 3\n")
    assert notice_period(tmp_path).days == 13
    (tmp_path / "company.toml").write_text("notice_postal_days = 'une semaine'\n")
    with pytest.raises(ConfigurationError) as raised:
        notice_period(tmp_path)
    assert "notice_postal_days" in str(raised.value.errors)
