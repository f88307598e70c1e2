"""Issue 10's "Done when", on ledgers the code has not seen: a canonical CSV ledger with postal
addresses generated from a seed, and a real FEC (../shared/samples/fec) read in place, a real
creditor in company.toml, and a first and later `dunning run` against a real SMTP server
(aiosmtpd on a loopback socket, spoken to by the product's own SMTP channel). Every SPEC §8 rule
is checked on what the server received and the letters produced; formal notices' interest is
recomputed here from SPEC §7's words, to the cent."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, localcontext
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from pypdf import PdfReader
from tests.conftest import SAMPLES, Collector, invoke, smtp_serving
from tests.dunning.test_dunning_escalation import FALSE_HISTORY, TITLES
from typer.testing import CliRunner

D = dt.date
SEED = 20230816
FIRST = D(2023, 8, 16)
NOTICE_DAYS = 8 + 7  # company.toml: payment_days_after_notice + notice_postal_days
LATER = FIRST + dt.timedelta(days=NOTICE_DAYS + 1)
FEC = SAMPLES / "fec" / "0000000001FEC20220831.txt"
REFUSED = "nobody@unseen-u05.test"  # the mailbox the server refuses (a typo in the customer file)
# SPEC §7: ECB main refinancing rate on 1 January / 1 July + 10 points, as SPEC lists them
SPEC_RATES = {(2016 + n // 2, 1 + n % 2): Decimal("10.00") for n in range(14)} | {
    (2023, 1): Decimal("12.50"), (2023, 2): Decimal("14.00"), (2024, 1): Decimal("14.50"),
    (2024, 2): Decimal("14.25"), (2025, 1): Decimal("13.15"), (2025, 2): Decimal("12.15"),
    (2026, 1): Decimal("12.15"),
}  # fmt: skip
COMPANY = """name = "Fromagerie Vallet SARL"
address = ["4 chemin des Granges", "39800 Poligny", "France"]
siren = "732829320"
vat_number = "FR44732829320"
email = "compta@fromagerie-vallet.fr"
phone = "+33 3 84 37 00 00"
iban = "FR14 2004 1010 0505 0001 3M02 606"
bic = "PSSTFRPPDIJ"
payment_days_after_notice = 8
notice_postal_days = 7
city = "Poligny"
"""
STREETS = ("rue des Tanneurs", "avenue Jean Jaurès", "place du Marché", "chemin de la Côte", "quai Vauban")
TOWNS = (("25000", "Besançon"), ("21000", "Dijon"), ("69003", "Lyon"), ("39100", "Dole"), ("71100", "Chalon"))
LATE_DAYS = (-4, 1, 6, 20, 33, 50, 75, 95)  # days past due at FIRST: every step of the scenario


class Invoice(NamedTuple):
    number: str
    customer: str
    issue: dt.date
    due: dt.date
    amount: Decimal
    payments: tuple[tuple[dt.date, Decimal], ...]  # allocated to the invoice


class Refusing(Collector):
    """A real SMTP server that refuses one mailbox at RCPT, as servers do for unknown users."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Refusing]:
    handler = Refusing()
    with smtp_serving(handler) as url:
        monkeypatch.setenv("ENCOURS_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("ENCOURS_SMTP_URL", url)
        monkeypatch.setenv("ENCOURS_MAIL_FROM", "relances@fromagerie-vallet.fr")
        monkeypatch.delenv("ENCOURS_RATES_FILE", raising=False)
        monkeypatch.delenv("ENCOURS_FAULT_AFTER_SENDS", raising=False)
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "company.toml").write_text(COMPANY, encoding="utf-8")
        yield handler


def generate(rng: random.Random) -> tuple[list[dict[str, str]], list[Invoice]]:
    """Twelve customers with postal addresses; invoices at every stage, some partly paid."""
    customers, invoices = [], []
    for n in range(1, 13):
        cid = f"U{n:02d}"
        postal, town = rng.choice(TOWNS)
        customers.append({
            "customer_id": cid, "name": f"{rng.choice(('Laiterie', 'Épicerie', 'Cave', 'Hôtel'))} {cid} SAS",
            "email": REFUSED if cid == "U05" else f"compta@{cid.lower()}.test", "language": "fr",
            "address_line1": f"{rng.randrange(1, 120)} {rng.choice(STREETS)}", "address_line2": "",
            "postal_code": postal, "city": town, "phone": f"+33 3 {rng.randrange(10, 99)} 00 00 00",
            "iban": "", "payment_terms_days": "30",
        })  # fmt: skip
        lates = [75, 5] if cid == "U05" else rng.sample(LATE_DAYS, rng.randrange(1, 4))
        for k, late in enumerate(lates):
            due = FIRST - dt.timedelta(days=late)
            amount = Decimal(rng.randrange(15_000, 900_000)) / 100
            payments: tuple[tuple[dt.date, Decimal], ...] = ()
            if late >= 40 and rng.random() < 0.6:  # a part paid late: it reduces A from its date on
                paid_on = due + dt.timedelta(days=rng.randrange(3, late - 2))
                payments = (
                    (paid_on, (amount * Decimal(rng.randrange(10, 60)) / 100).quantize(Decimal("0.01"))),
                )
            invoices.append(
                Invoice(f"VF-{cid}-{k + 1}", cid, due - dt.timedelta(days=30), due, amount, payments)
            )
    return customers, invoices


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_ledger(folder: Path, customers: list[dict[str, str]], invoices: list[Invoice]) -> list[Path]:
    invoice_rows = [{"invoice_id": i.number, "customer_id": i.customer, "issue_date": i.issue.isoformat(),
                     "due_date": i.due.isoformat(), "amount": str(i.amount)} for i in invoices]  # fmt: skip
    payment_rows = [{"payment_id": f"P-{i.number}-{n}", "customer_id": i.customer, "date": day.isoformat(),
                     "amount": str(amount), "invoice_id": i.number}
                    for i in invoices for n, (day, amount) in enumerate(i.payments)]  # fmt: skip
    return [write_csv(folder / "customers.csv", customers), write_csv(folder / "invoices.csv", invoice_rows),
            write_csv(folder / "payments.csv", payment_rows)]  # fmt: skip


def ok(cli: CliRunner, *args: str) -> str:
    code, out, err = invoke(cli, *args)
    assert code == 0, out + err
    return out


def actions(cli: CliRunner, db: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(cli, "dunning", "actions", "--format", "json", "--db", db))
    return rows


def body(message: Message) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def listed_sections(message: Message) -> dict[str, str]:
    """Invoice -> the step whose heading it is listed under in the e-mail."""
    titles = {f"{title} :": step for step, title in TITLES["fr"].items()}
    found: dict[str, str] = {}
    current = None
    for line in body(message).splitlines():
        current = titles.get(line.strip(), current)
        match = re.match(r"\s+- Facture (.+?) du \d", line)
        if match:
            assert current is not None and match.group(1) not in found, line
            found[match.group(1)] = current
    return found


def pdf_text(path: str | Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


MONEY = re.compile(r"(-?\d{1,3}(?:[\u202f\u00a0 ]\d{3})*,\d{2})\s?€")


def money(text: str) -> Decimal:
    return Decimal(re.sub(r"[\u202f\u00a0 ]", "", text).replace(",", "."))


def spec_interest(invoice: Invoice, as_of: dt.date) -> Decimal:
    """SPEC §7 read literally: Σ over each day from E+1 to D of A(day) × r(day) / 365, A reduced by
    the payments allocated to the invoice from their date on; rounded half-up to the cent."""
    total = Decimal(0)
    with localcontext() as exact:
        exact.prec = 60
        day = invoice.due + dt.timedelta(days=1)
        while day <= as_of:
            owed = invoice.amount - sum((p for on, p in invoice.payments if on <= day), Decimal(0))
            rate = SPEC_RATES[(day.year, 1 if day.month <= 6 else 2)]
            total += owed * rate / 100 / 365
            day += dt.timedelta(days=1)
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def notice_rows(path: str, refs: list[str]) -> dict[str, tuple[dt.date, Decimal, Decimal, Decimal]]:
    """Invoice -> (due date, open amount, interest, indemnity) as the formal notice prints them
    (a row may wrap over several lines of the extracted text)."""
    text = pdf_text(path)
    table = text[: text.index("\nTotal ")]
    starts = sorted(
        (m.start(), m.end(), ref) for ref in refs  # HTML shows "FA  220396" as "FA 220396"
        for m in re.finditer(r"\s+".join(map(re.escape, ref.split())) + r"(?=\s+\d{2}/\d{2}/\d{4})", table)
    )  # fmt: skip
    found = {}
    for (_, after, ref), (end, _, _) in zip(starts, [*starts[1:], (len(table), 0, "")], strict=True):
        row = re.fullmatch(r"(\S+) (\d{2})/(\d{2})/(\d{4}) \d+ (.*)", " ".join(table[after:end].split()))
        assert row is not None, table[after:end]
        amounts = MONEY.findall(row.group(5))  # after the days late: open amount, interest, indemnity
        assert len(amounts) == 3, row.group(5)
        day, month, year = (int(row.group(n)) for n in (2, 3, 4))
        found[ref] = (D(year, month, day), *map(money, amounts))
    return found


def fec_customers() -> list[dict[str, str]]:
    """The FEC's customer accounts (411 lines' CompAuxNum and CompAuxLib), read from the file."""
    header, *rows = [line.split("\t") for line in FEC.read_text(encoding="utf-8-sig").splitlines() if line]
    column = {name: n for n, name in enumerate(header)}
    found = {r[column["CompAuxNum"]]: r[column["CompAuxLib"]] for r in rows
             if r[column["CompteNum"]].startswith("411") and r[column["CompAuxNum"]]}  # fmt: skip
    return [{"customer_id": cid, "name": name} for cid, name in sorted(found.items())]


def check_messages(received: list[Any], rows: list[dict[str, Any]]) -> None:
    """One e-mail per customer; every invoice under its own step's heading; subject from the lead."""
    subjects = {"courtesy": "Échéance", "reminder": "Rappel", "firm_reminder": "Relance",
                "phone_call": "Factures impayées", "formal_notice": "Mise en demeure",
                "handover": "Transmission"}  # fmt: skip
    offsets = {"thank_you": -100, "courtesy": -5, "reminder": 3, "firm_reminder": 15, "phone_call": 30,
               "formal_notice": 45, "handover": 60}  # fmt: skip
    customers = Counter(str(m.message["X-Encours-Customer"]) for m in received)
    assert set(customers.values()) == {1}, customers
    steps = {(r["customer_id"], i): r["step"] for r in rows for i in r["invoice_ids"]}
    for m in received:
        customer = str(m.message["X-Encours-Customer"])
        listed = listed_sections(m.message)
        assert listed, body(m.message)
        for invoice, step in listed.items():
            assert steps[(customer, invoice)] == step, (customer, invoice, step)
        lead = max(set(listed.values()), key=offsets.__getitem__)
        assert str(m.message["Subject"]).startswith(subjects[lead]), (m.message["Subject"], lead)
        text = body(m.message)
        assert "Fromagerie Vallet SARL" in text and "Encours Démo" not in text


def test_first_and_later_runs_on_unseen_ledgers_keep_every_dunning_rule(
    cli: CliRunner, sqlite_url: str, smtp: Refusing, tmp_path: Path
) -> None:
    db = sqlite_url
    customers, invoices = generate(random.Random(SEED))
    files = write_ledger(tmp_path, customers, invoices)
    ok(cli, "import", *map(str, files), str(FEC), "--db", db)
    # the FEC's customers get a postal address and an e-mail, as a user completes a customer file
    fec = fec_customers()
    assert len(fec) >= 3
    rng = random.Random(SEED + 1)
    contacts = [{**customers[0], "customer_id": r["customer_id"], "name": r["name"],
                 "email": f"ap{n}@fec-client.test", "address_line1": f"{rng.randrange(1, 99)} rue Basse"}
                for n, r in enumerate(fec)]  # fmt: skip
    ok(cli, "import", str(write_csv(tmp_path / "fec_contacts.csv", contacts)), "--db", db)

    # a malicious template is refused before anything is decided or sent, and runs nothing
    marker = tmp_path / "pwned"
    template = tmp_path / "data" / "templates" / "fr" / "email" / "reminder.txt"
    template.parent.mkdir(parents=True)
    popen = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    for payload in ("{{ ''.__class__.__mro__[1].__subclasses__() }}", popen):
        template.write_text(f"Subject: relance\n\n{payload}\n", encoding="utf-8")
        code, out, err = invoke(cli, "dunning", "run", "--as-of", FIRST.isoformat(), "--db", db)
        assert code == 2 and "reminder.txt" in err, out + err
        assert not marker.exists() and smtp.received == [] and actions(cli, db) == []
    template.unlink()

    # first run: one customer's mailbox is refused -> exit 3 naming it with the server's reason
    code, out, err = invoke(cli, "dunning", "run", "--as-of", FIRST.isoformat(), "--db", db)
    assert code == 3, out + err
    assert re.search(r"failed\s+U05 \([^)]*\): SMTP server refused.*550", out), out
    first = actions(cli, db)
    assert not [r for r in first if r["step"] == "handover"]  # nothing was ever delivered before
    assert "hand-overs waiting for a formal notice" in out
    received = list(smtp.received)
    assert REFUSED not in {r for m in received for r in m.recipients}
    check_messages(received, first)
    letters = [r for r in first if r["channel"] == "letter"]
    assert letters and all(r["document"] for r in letters), json.dumps(
        [r for r in letters if not r["document"]]
    )
    for m in received:  # a first contact claims no history, in the e-mail or its letters
        assert FALSE_HISTORY.search(body(m.message)) is None
    for r in letters:
        assert FALSE_HISTORY.search(pdf_text(r["document"])) is None
    # formal notices: each invoice's interest equals SPEC §7 to the cent
    by_number = {i.number: i for i in invoices}
    checked = 0
    for r in [r for r in first if r["step"] == "formal_notice"]:
        printed = notice_rows(r["document"], r["invoice_ids"])
        assert set(printed) == set(r["invoice_ids"]), r["document"]
        for number, (due, open_amount, interest, indemnity) in printed.items():
            invoice = by_number.get(number) or Invoice(number, r["customer_id"], due, due, open_amount, ())
            assert interest == spec_interest(invoice, FIRST), number
            assert indemnity == Decimal("40.00")
            checked += 1
    assert checked >= 5 and any(by_number[n].payments for r in first for n in r["invoice_ids"]
                                if n in by_number and r["step"] == "formal_notice")  # fmt: skip
    noticed = {
        i for r in first if r["step"] == "formal_notice" and r["status"] == "sent" for i in r["invoice_ids"]
    }
    assert noticed

    # a day before the notices' period has run: still no hand-over, and the day it becomes possible
    preview = json.loads(ok(cli, "dunning", "run", "--as-of", (LATER - dt.timedelta(days=2)).isoformat(),
                            "--dry-run", "--format", "json", "--db", db))  # fmt: skip
    assert not [a for a in preview["actions"] if a["step"] == "handover"]
    waiting = [w for w in preview["handovers_waiting"] if set(w["invoice_ids"]) <= noticed]
    assert waiting and {w["possible_on"] for w in waiting} == {
        (FIRST + dt.timedelta(days=NOTICE_DAYS)).isoformat()
    }

    # the cause is fixed (the customer file corrected) and a later run delivers everything: exit 0
    fixed = [{**c, "email": "compta@u05.test"} if c["customer_id"] == "U05" else c for c in customers]
    ok(cli, "import", str(write_csv(tmp_path / "customers-fixed.csv", fixed)), "--db", db)
    before = len(smtp.received)
    out = ok(cli, "dunning", "run", "--as-of", LATER.isoformat(), "--db", db)
    rows = actions(cli, db)
    later = [r for r in rows if r["action_id"] not in {f["action_id"] for f in first}]
    second = smtp.received[before:]
    check_messages(second, later)
    u05 = [m for m in second if m.recipients == ("compta@u05.test",)]
    assert len(u05) == 1  # the failed first attempt's invoices were decided again, not skipped
    failed_invoices = {i for r in first if r["customer_id"] == "U05" for i in r["invoice_ids"]}
    assert failed_invoices <= set(listed_sections(u05[0].message))
    handed = [r for r in later if r["step"] == "handover"]
    assert handed  # the notices delivered at FIRST ran their period
    for r in handed:  # only invoices whose formal notice was delivered at least the period before
        assert set(r["invoice_ids"]) <= noticed and r["customer_id"] != "U05"
    history: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["status"] == "sent":
            for i in r["invoice_ids"]:
                history[i].append(r["step"])
    for m in second:  # history phrases only where that history was delivered
        text = body(m.message)
        if re.search(r"mise en demeure étant restée sans effet", text, re.I):
            assert set(listed_sections(m.message)) & noticed
        if re.search(r"malgré (nos|notre) relance", text, re.I):
            assert any(len(history[i]) > 1 for i in listed_sections(m.message))
    assert {r["status"] for r in later} <= {"sent", "produced"}
    assert "NOT DELIVERED" not in out
