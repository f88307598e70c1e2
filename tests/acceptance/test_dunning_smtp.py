"""One `encours dunning run` against a real SMTP server (SPEC §7-§8, issue "Done when"): one
grouped message per customer with overdue invoices, no disputed invoice mentioned, nothing more
on a re-run, formal-notice interest equal to SPEC §7 computed here to the cent, actions JSON keys."""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import socket
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from tests.acceptance.cli import encours, sqlite_db

AS_OF = dt.date(2024, 7, 10)
CUSTOMERS = """customer_id,name,email,address_line1,address_line2,postal_code,city,iban
D1,Dupont SA,d1@example.com,3 rue Pasteur,,69007,Lyon,FR7630006000011234567890189
D2,Durand SARL,d2@example.com,12 avenue Jean Jaurès,Bâtiment B,44000,Nantes,
D3,Disputeur SAS,d3@example.com,1 place du Marché,,21000,Dijon,
D5,Cinq SAS,d5@example.com,5 quai des Chartrons,,33000,Bordeaux,
D6,Six SA,d6@example.com,6 rue Nationale,,59000,Lille,
"""
COMPANY = """name = "Fournitures Martin SARL"
address = ["8 rue des Tanneurs", "67000 Strasbourg"]
siren = "552100554"
vat_number = "FR23552100554"
email = "compta@martin.example"
phone = "+33 3 88 00 00 00"
iban = "FR76 1027 8010 0000 0201 2345 678"
bic = "CMCIFR2A"
city = "Strasbourg"
"""
INVOICES = """invoice_id,customer_id,issue_date,due_date,amount,disputed,kind
I11,D1,2024-05-26,2024-06-25,1000.00,false,invoice
I12,D1,2024-04-20,2024-05-20,500.00,false,invoice
I13,D1,2024-04-15,2024-05-15,800.00,true,invoice
I21,D2,2024-06-01,2024-07-01,300.00,false,invoice
I22,D2,2024-05-01,2024-06-01,700.00,true,invoice
I31,D3,2024-04-01,2024-05-01,400.00,true,invoice
I51,D5,2024-04-25,2024-05-25,2000.00,false,invoice
AV51,D5,2024-06-20,,100.00,false,credit_note
I61,D6,2024-04-01,2024-05-01,90.00,false,invoice
"""
PAYMENTS = """payment_id,customer_id,date,amount,invoice_id
P12,D1,2024-06-10,200.00,I12
P51,D5,2024-06-15,500.00,
P61,D6,2024-05-02,90.00,I61
"""
# SPEC §7 rates, ECB + 10 points: 2024-H1 14.50 %, 2024-H2 14.25 %
RATES = {(2024, 1): Decimal("14.50"), (2024, 2): Decimal("14.25")}


def interest(due: dt.date, open_from: list[tuple[dt.date, Decimal]]) -> Decimal:
    """Σ over each day from due+1 to AS_OF of A × r(day) / 365; A changes on allocation dates."""
    total, day = Decimal(0), due + dt.timedelta(days=1)
    while day <= AS_OF:
        amount = [a for start, a in open_from if start <= day][-1]
        total += amount * RATES[(day.year, 1 if day.month <= 6 else 2)] / 100 / 365
        day += dt.timedelta(days=1)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def text_of(message: EmailMessage) -> str:
    parts = [str(part.get_content()) for part in message.walk() if part.get_content_type() == "text/plain"]
    for part in message.walk():
        if part.get_content_type() == "application/pdf":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts.append(pdf_text(payload))
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_dunning_run_against_a_real_smtp_server(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    for name, content in (("c.csv", CUSTOMERS), ("i.csv", INVOICES), ("p.csv", PAYMENTS)):
        (tmp_path / name).write_text(content)
    env = {
        "ENCOURS_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "ENCOURS_MAIL_FROM": "relances@example.com",
        "ENCOURS_DATA_DIR": str(tmp_path / "data"),
    }
    db = sqlite_db(tmp_path)
    assert encours("import", "c.csv", "i.csv", "p.csv", "--db", db, cwd=tmp_path, env=env).code == 0
    # a real ledger is never dunned in the name of the shipped demo company
    refused = encours("dunning", "run", "--as-of", AS_OF.isoformat(), "--db", db, cwd=tmp_path, env=env)
    assert refused.code == 2 and "company.toml" in refused.stderr and not inbox.messages
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "company.toml").write_text(COMPANY, encoding="utf-8")
    run = encours("dunning", "run", "--as-of", AS_OF.isoformat(), "--db", db, cwd=tmp_path, env=env)
    assert run.code == 0, run.stderr

    recipients = sorted(r for rcpt, _ in inbox.messages for r in rcpt)
    assert recipients == ["d1@example.com", "d2@example.com", "d5@example.com"]  # one each
    texts = {rcpt[0]: text_of(message) for rcpt, message in inbox.messages}
    for text in texts.values():
        assert not any(disputed in text for disputed in ("I13", "I22", "I31"))
    assert "I11" in texts["d1@example.com"] and "I12" in texts["d1@example.com"]
    assert all("Fournitures Martin SARL" in text and "Démo" not in text for text in texts.values())

    # formal notices (+45 days): I12 (500, 300 from the 200 paid on 06-10) and I51 (2000: an
    # unapplied payment and a credit note do not reduce A)
    notices = {
        "I12": interest(
            dt.date(2024, 5, 20), [(dt.date.min, Decimal(500)), (dt.date(2024, 6, 10), Decimal(300))]
        ),
        "I51": interest(dt.date(2024, 5, 25), [(dt.date.min, Decimal(2000))]),
    }
    for invoice, expected in notices.items():
        amount = f"{expected:.2f}".replace(".", ",")
        lines = [
            line for text in texts.values() for line in text.splitlines() if line.startswith(invoice + " ")
        ]
        assert any(amount in line for line in lines), (invoice, expected, lines)

    again = encours("dunning", "run", "--as-of", AS_OF.isoformat(), "--db", db, cwd=tmp_path, env=env)
    assert again.code == 0
    assert len(inbox.messages) == 3

    actions = encours("dunning", "actions", "--format", "json", "--db", db, cwd=tmp_path, env=env)
    listed = json.loads(actions.stdout)
    keys = [
        "action_id",
        "customer_id",
        "step",
        "channel",
        "invoice_ids",
        "status",
        "created_at",
        "sent_at",
        "document",
    ]
    assert listed and all(list(action) == [*keys, "reason", "attempts"] for action in listed)  # §8 first
    assert not {"I13", "I22", "I31"} & {i for action in listed for i in action["invoice_ids"]}
