"""Dunning runs against a real SMTP server: grouping, disputes, exactly once, letters, bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from email.message import Message
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import DEMO_UNTIL, SmtpServer, invoke
from tests.dunning.conftest import store_ledger
from tests.dunning.letter_rows import invoice_rows
from typer.testing import CliRunner

from encours.audit.service import events
from encours.casework.holds import HoldKind, holds_in_force
from encours.casework.tasks import list_tasks
from encours.demo.generator import DemoLedger
from encours.domain.dunning import step_for
from encours.domain.escalation import NO_HISTORY, NoticePeriod, escalation
from encours.domain.open_items import open_items
from encours.domain.penalties import FRANCE, Reduction, late_payment_penalty
from encours.dunning.rates import load_rate_table
from encours.dunning.scenarios import load_scenarios
from encours.dunning.service import load_config, preview
from encours.settings import get_settings
from encours.storage.database import get_engine, unit_of_work

AS_OF = DEMO_UNTIL
ACTION_KEYS = ["action_id", "customer_id", "step", "channel", "invoice_ids", "status", "created_at",
               "sent_at",
               "document"]  # fmt: skip


def expected_steps(ledger: DemoLedger, as_of: dt.date) -> dict[tuple[str, str], set[str]]:
    """(customer, step) -> invoices, by the reference rule on the pure ledger (no SQL).

    A first run: no invoice has a history, so a hand-over is a formal notice first (SPEC §8).
    """
    scenario = next(s for s in load_scenarios().scenarios.values() if s.default)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in open_items(ledger.entries, ledger.allocations, as_of):
        entry = item.entry
        if item.open_amount <= 0 or entry.disputed:
            continue
        step = step_for(scenario, (as_of - entry.due_date).days)
        if step is not None:
            verdict = escalation(scenario, step, NO_HISTORY, as_of, NoticePeriod())
            assert verdict.step is not None
            found[(entry.customer_id, verdict.step)].add(entry.reference)
    return dict(found)


def body_text(message: Message) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts.append(payload.decode("utf-8"))
    return "\n".join(parts)


def pdf_attachments(message: Message) -> dict[str, str]:
    """File name -> extracted text of each PDF attachment."""
    found = {}
    for part in message.walk():
        name = part.get_filename()
        if name and name.endswith(".pdf"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes) and payload.startswith(b"%PDF")
            reader = PdfReader(io.BytesIO(payload))
            found[name] = "\n".join(page.extract_text() for page in reader.pages)
    return found


def actions_json(cli: CliRunner, db: str) -> list[dict[str, object]]:
    code, out, err = invoke(cli, "dunning", "actions", "--format", "json", "--db", db)
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def test_one_grouped_message_per_customer_never_a_disputed_invoice_nothing_on_rerun(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer, demo_ledger: DemoLedger
) -> None:
    code, _, err = invoke(cli, "dunning", "run", "--as-of", AS_OF.isoformat(), "--db", demo_db)
    assert code == 0, err
    expected = expected_steps(demo_ledger, AS_OF)
    customers = {customer for customer, _ in expected}
    emails = {c.customer_id: c.email for c in demo_ledger.customers}
    recipients = Counter(r for received in smtp_server.received for r in received.recipients)
    assert set(recipients) == {emails[c] for c in customers}
    assert set(recipients.values()) == {1}  # one message per customer, however many steps are due

    disputed = {e.reference for e in demo_ledger.entries if e.disputed}
    assert disputed, "the demo ledger must contain disputed invoices for this test to mean something"
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(disputed))) + r")\b")
    for received in smtp_server.received:
        texts = [body_text(received.message), *pdf_attachments(received.message).values()]
        for text in texts:
            assert pattern.search(text) is None
        customer = received.message["X-Encours-Customer"]
        listed = set(re.findall(r"\bF\d{7}\b", body_text(received.message)))
        due = set().union(*(refs for (c, _), refs in expected.items() if c == customer))
        assert listed == due  # the statement lists every invoice due for action, and only those

    rows = actions_json(cli, demo_db)
    assert rows and all(list(row) == [*ACTION_KEYS, "reason", "attempts"] for row in rows)  # §8's keys first
    assert all(row["reason"] is None and row["attempts"] == 1 for row in rows)
    assert {row["status"] for row in rows} == {"sent"}
    decided = {(str(row["customer_id"]), str(row["step"])): set(row["invoice_ids"]) for row in rows}  # type: ignore[call-overload]
    assert decided == expected
    with unit_of_work(get_engine(demo_db)) as session:
        audited = Counter(e.action for e in events(session, limit=100_000))
        tasks = {(t.customer_id, t.kind) for t in list_tasks(session)}
        litigation = {h.customer_id for h in holds_in_force(session, AS_OF) if h.kind is HoldKind.LITIGATION}
    assert audited["dunning.decided"] == len(rows)
    assert audited["dunning.sent"] == len(rows)
    phone = {c for c, step in expected if step == "phone_call"}
    assert phone
    assert not any(step == "handover" for _, step in expected)  # a first run hands nothing over
    assert tasks == {(c, "call") for c in phone}
    assert litigation == set()

    count = len(smtp_server.received)
    code, _out, err = invoke(cli, "dunning", "run", "--as-of", AS_OF.isoformat(), "--db", demo_db)
    assert code == 0, err
    assert len(smtp_server.received) == count
    assert len(actions_json(cli, demo_db)) == len(rows)


def test_formal_notices_show_the_spec_interest_of_every_invoice(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer, demo_ledger: DemoLedger
) -> None:
    code, _, err = invoke(cli, "dunning", "run", "--as-of", AS_OF.isoformat(), "--db", demo_db)
    assert code == 0, err
    entries = {e.reference: e for e in demo_ledger.entries}
    reductions: dict[str, list[Reduction]] = defaultdict(list)
    for allocation in demo_ledger.allocations:
        if allocation.date <= AS_OF:
            reductions[allocation.debit_key].append(Reduction(allocation.date, allocation.amount))
    table = load_rate_table().table
    notices = {
        str(row["document"]): row for row in actions_json(cli, demo_db) if row["step"] == "formal_notice"
    }
    assert notices
    checked = 0
    for received in smtp_server.received:
        for name, text in pdf_attachments(received.message).items():
            if "formal_notice" not in name:
                continue
            [path] = [p for p in notices if Path(p).name == name]
            assert Path(path).is_file()
            lines = invoice_rows(text, r"F\d{7}")
            assert set(lines) == set(notices[path]["invoice_ids"])  # type: ignore[arg-type]
            for reference, line in lines.items():
                entry = entries[reference]
                penalty = late_payment_penalty(
                    entry.amount, entry.due_date, AS_OF, reductions[entry.key], rule=FRANCE, table=table
                )
                # French "1 234,56 €" (narrow no-break space, no-break space) or English "€1,234.56"
                found = re.findall(r"(\d[\d\u202f]*,\d{2})\u00a0€|€(\d[\d,]*\.\d{2})", line)
                amounts = [
                    Decimal(fr.replace("\u202f", "").replace(",", ".") if fr else en.replace(",", ""))
                    for fr, en in found
                ]
                assert amounts[-2:] == [penalty.interest, Decimal("40.00")], line
                checked += 1
            assert "L441-10" in text and ("40 euros" in text or "EUR 40" in text) and "1344" in text
    assert checked >= 2


def test_dry_run_and_preview_send_and_write_nothing(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer
) -> None:
    code, out, err = invoke(cli, "dunning", "run", "--as-of", AS_OF.isoformat(), "--dry-run", "--db", demo_db)
    assert code == 0, err
    assert "formal_notice" in out
    code, out, err = invoke(
        cli, "dunning", "preview", "--as-of", AS_OF.isoformat(), "--format", "json", "--db", demo_db
    )
    assert code == 0, err
    assert json.loads(out)["actions"]
    assert smtp_server.received == []
    assert actions_json(cli, demo_db) == []
    assert not (dunning_env / "letters").exists()


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["run", "--as-of", "2026-13-01"], {}, "--as-of"),
        (["run", "--as-of", "2026-10-31"], {"ENCOURS_SMTP_URL": "http://127.0.0.1:1"}, "ENCOURS_SMTP_URL"),
        (["run", "--as-of", "2026-10-31"], {"ENCOURS_MAIL_FROM": "nobody"}, "ENCOURS_MAIL_FROM"),
        (["preview", "--as-of", "2026-10-31", "--format", "xml"], {}, "--format"),
        (["actions", "--format", "xml"], {}, "--format"),
        (["terms", "NOBODY", "--contract-rate", "12"], {}, "NOBODY"),
        (["terms", "C00001", "--contract-rate", "abc"], {}, "--contract-rate"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    cli: CliRunner, demo_db: str, dunning_env: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch,
    args: list[str], env: dict[str, str], needle: str,
) -> None:  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = invoke(cli, "dunning", *args, "--db", demo_db)
    assert code == 2
    assert needle in err
    assert actions_json(cli, demo_db) == []
    assert smtp_server.received == []


def test_broken_scenario_or_rate_file_exits_2_naming_the_file(
    cli: CliRunner, demo_db: str, dunning_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenarios = dunning_env / "scenarios"
    scenarios.mkdir(parents=True)
    (scenarios / "default_fr_b2b.toml").write_text("default = true\n[[steps]]\nkey = 'x'\n", encoding="utf-8")
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-10-31", "--db", demo_db)
    assert code == 2 and "default_fr_b2b.toml" in err
    (scenarios / "default_fr_b2b.toml").unlink()
    rates = tmp_path / "rates.csv"
    rates.write_text("half_year,ecb_mro_rate\n2026-H1,2.15\n2026-H3,2.15\n", encoding="utf-8")
    monkeypatch.setenv("ENCOURS_RATES_FILE", str(rates))
    code, _, err = invoke(cli, "dunning", "run", "--as-of", "2026-10-31", "--db", demo_db)
    assert code == 2 and f"{rates}:3 [half_year]" in err
    assert actions_json(cli, demo_db) == []


def test_decisions_follow_the_reference_rule_on_both_backends(
    db_url: str, demo_ledger: DemoLedger, dunning_env: Path
) -> None:
    store_ledger(db_url, demo_ledger)
    decisions = preview(get_engine(db_url), load_config(get_settings()), AS_OF)
    found = {(a.customer_id, a.step.key): {c.reference for c in a.invoices} for a in decisions.actions}
    assert found == expected_steps(demo_ledger, AS_OF)
