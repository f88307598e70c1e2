"""`encours cash apply | allocate | unallocate` on a stored ledger and bank journal, on SQLite and
PostgreSQL: what is matched is written as payments and allocations the aged balance reflects,
the rest waits with a reason; nothing is counted twice; every decision is in the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.conftest import invoke, query
from typer.testing import CliRunner

from encours.audit.service import events
from encours.bank.models import BankTransactionRow
from encours.domain.bank import TransactionKind
from encours.domain.creditor_reference import invoice_reference
from encours.storage.database import get_engine, unit_of_work

IBAN_ACME = "FR7630006000011234567890189"
AS_OF = "2026-10-31"
CUSTOMERS = (
    "customer_id,name,iban\n"
    f"C1,Acme Industrie SAS,{IBAN_ACME}\n"
    "C2,Boulangerie Dupont Frères SARL,\n"
    "C3,Beta Logistik GmbH,\n"
)
INVOICES = (
    "invoice_id,customer_id,issue_date,amount,due_date\n"
    "FA  220301,C1,2026-09-01,150.00,2026-10-01\n"
    "FA220302,C1,2026-09-02,1200.00,2026-10-02\n"
    "FA220303,C1,2026-09-03,300.00,2026-10-03\n"
    "FA220304,C1,2026-09-04,45.00,2026-10-04\n"
    "FB-1001,C2,2026-09-05,80.00,2026-10-05\n"
    "FB-1002,C2,2026-09-06,80.00,2026-10-06\n"
    "FC-7001,C3,2026-09-07,999.00,2026-10-07\n"
)


def line(
    n: int, amount: str, day: int, payer: str = "", iban: str = "", text: str = "", **kw: Any
) -> dict[str, Any]:
    cents = int(amount.replace(".", ""))
    return {
        "fingerprint": f"fp{n}", "occurrence": 1, "account": "FR7610107001011234567890129",
        "statement_id": "S1",
        "booking_date": dt.date(2026, 10, day), "value_date": None, "amount_cents": cents, "currency": "EUR",
        "payer_name": payer, "payer_iban": iban, "remittance": text, "creditor_reference": "",
        "end_to_end_id": f"E2E{n}", "bank_reference": f"REF{n}", "transaction_code": "",
        "kind": kw.get("kind", TransactionKind.CUSTOMER_CREDIT.value), "status": "unmatched", "reason": "",
        "source_format": "camt", "source_file": "releve.xml", "source_line": n,
    }  # fmt: skip


LINES = [
    line(1, "150.00", 10, "ACME INDUSTRIE", IBAN_ACME, f"Paiement {invoice_reference('FA  220301')}"),
    line(2, "1194.00", 11, "Acme", "", "VIR FACTURE FA 220302"),  # 6.00 of bank charges
    line(3, "345.00", 12, "ACME INDUSTRIE SAS", IBAN_ACME, "virement septembre"),  # FA220303 + FA220304
    line(4, "80.00", 13, "BOULANGERIE DUPONT FRERES", "", "reglement"),  # two invoices of 80.00: suggested
    line(5, "500.00", 14, "FONCIA SCI", "", "loyer"),  # unknown payer
    line(6, "12.34", 15, "BANQUE", "", "INTERETS CREDITEURS", kind=TransactionKind.INTEREST.value),
    line(7, "400.00", 16, "BETA LOGISTIK", "", "FC-7001 acompte"),  # partial payment
]


def setup_ledger(
    cli: CliRunner, tmp_path: Path, url: str, lines: list[dict[str, Any]], payments: str = ""
) -> None:
    files = {"customers.csv": CUSTOMERS, "invoices.csv": INVOICES}
    if payments:
        files["payments.csv"] = payments
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    code, _, err = invoke(cli, "import", *(str(tmp_path / n) for n in files), "--db", url)
    assert code == 0, err
    with unit_of_work(get_engine(url)) as session:
        session.add_all(BankTransactionRow(**values) for values in lines)


def apply(cli: CliRunner, url: str, *extra: str) -> dict[str, Any]:
    code, out, err = invoke(cli, "cash", "apply", "--as-of", AS_OF, "--format", "json", "--db", url, *extra)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def aging_total(cli: CliRunner, url: str) -> str:
    document = json.loads(invoke(cli, "aging", "--as-of", AS_OF, "--format", "json", "--db", url)[1])
    return str(document["totals"]["total"])


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["receipt_id"]: r for r in document["receipts"]}


def line_ids(url: str) -> dict[str, str]:
    """source line → journal id."""
    return {str(n): str(i) for i, n in query(url, "SELECT id, source_line FROM bank_transactions")}


def test_apply_matches_in_the_order_of_the_rules(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    setup_ledger(cli, tmp_path, db_url, LINES)
    assert aging_total(cli, db_url) == "2854.00"  # the journal alone never moves the aged balance
    document = apply(cli, db_url)
    assert set(document) == {"as_of", "receipts", "summary"}
    ids = line_ids(db_url)
    receipts = by_id(document)
    assert set(receipts) == {ids[n] for n in "123457"}  # the interest is no customer's credit
    fields = {"receipt_id", "date", "amount", "currency", "payer", "remittance", "status", "customer_id",
              "rule", "reason", "allocations"}  # fmt: skip
    assert all(set(r) == fields for r in receipts.values())
    decided = {n: receipts[ids[n]] for n in "123457"}
    assert [(n, r["status"], r["rule"], r["customer_id"]) for n, r in decided.items()] == [
        ("1", "matched", "creditor_reference", "C1"),
        ("2", "matched", "invoice_number", "C1"),
        ("3", "matched", "combination", "C1"),
        ("4", "suggested", "amount", "C2"),
        ("5", "unmatched", None, None),
        ("7", "matched", "invoice_number", "C3"),
    ]
    assert decided["1"]["allocations"] == [{"invoice_id": "FA  220301", "amount": "150.00"}]
    assert decided["2"]["allocations"] == [{"invoice_id": "FA220302", "amount": "1194.00"}]
    assert "6.00 short, booked as bank charges" in decided["2"]["reason"]
    assert sorted(a["invoice_id"] for a in decided["3"]["allocations"]) == ["FA220303", "FA220304"]
    assert "FB-1001, FB-1002" in decided["4"]["reason"] and decided["5"]["reason"]
    assert "599.00 still owed" in decided["7"]["reason"]
    assert not any("fec:" in json.dumps(r) or "doc:" in json.dumps(r) for r in receipts.values())
    summary = document["summary"]
    assert (summary["matched"], summary["suggested"], summary["unmatched"], summary["duplicate"]) == (
        4,
        1,
        1,
        0,
    )
    assert summary["bank_charges"] == "6.00"
    # what is left open: FB-1001 + FB-1002 (160.00) and the rest of FC-7001 (599.00)
    assert aging_total(cli, db_url) == "759.00"
    with Session(get_engine(db_url)) as session:
        allocated = [e for e in events(session) if e.action == "cash.allocated"]
        assert sorted(e.subject or "" for e in allocated) == [
            "FA  220301", "FA220302", "FA220303", "FA220304", "FC-7001",
        ]  # fmt: skip
        assert {e.action for e in events(session)} >= {"cash.suggested"}
    statuses = dict(query(db_url, "SELECT source_line, status FROM bank_transactions"))
    assert statuses == {1: "matched", 2: "matched", 3: "matched", 4: "suggested", 5: "unmatched",
                        6: "unmatched", 7: "matched"}  # fmt: skip
    # a second run has nothing new to settle and counts nothing twice
    again = apply(cli, db_url)
    assert {r["status"] for r in again["receipts"]} == {"unmatched"}
    assert aging_total(cli, db_url) == "759.00"


def test_dry_run_stores_nothing(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    setup_ledger(cli, tmp_path, sqlite_url, LINES)
    assert apply(cli, sqlite_url, "--dry-run")["summary"]["matched"] == 4
    assert aging_total(cli, sqlite_url) == "2854.00"
    code, out, _ = invoke(cli, "cash", "apply", "--as-of", AS_OF, "--db", sqlite_url)
    assert code == 0 and "4 matched" in out


def test_tolerance_comes_from_the_settings(
    cli: CliRunner, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_ledger(cli, tmp_path, sqlite_url, [{**LINES[1], "payer_iban": IBAN_ACME}])
    monkeypatch.setenv("ENCOURS_BANK_CHARGE_CAP", "5")
    receipt = apply(cli, sqlite_url)["receipts"][0]
    assert receipt["status"] == "matched" and "Partial payment" in receipt["reason"]
    monkeypatch.setenv("ENCOURS_BANK_CHARGE_RATE", "2")
    code, _, err = invoke(cli, "cash", "apply", "--as-of", AS_OF, "--db", sqlite_url)
    assert code == 2 and "ENCOURS_BANK_CHARGE_RATE" in err


def test_a_receipt_already_in_the_ledger_is_a_duplicate(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    payments = "payment_id,customer_id,date,amount,invoice_id\nP1,C3,2026-10-14,999.00,FC-7001\n"
    setup_ledger(
        cli, tmp_path, db_url, [line(1, "999.00", 16, "BETA LOGISTIK GMBH", "", "FC-7001")], payments
    )
    before = aging_total(cli, db_url)
    receipt = apply(cli, db_url)["receipts"][0]
    assert (receipt["status"], receipt["customer_id"], receipt["allocations"]) == ("duplicate", "C3", [])
    assert "P1" in receipt["reason"] and "not counted twice" in receipt["reason"]
    assert aging_total(cli, db_url) == before
    linked = query(
        db_url, "SELECT t.status, e.key FROM bank_transactions t JOIN entries e ON e.id = t.payment_entry_id"
    )
    assert linked == [("duplicate", "pay:P1")]


def test_allocate_and_unallocate_by_hand(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    setup_ledger(cli, tmp_path, db_url, [LINES[3]])
    receipt = apply(cli, db_url)["receipts"][0]
    assert receipt["status"] == "suggested"
    rid = receipt["receipt_id"]
    code, out, err = invoke(cli, "cash", "allocate", rid, "FB-1002", "--format", "json", "--by", "alice",
                            "--db", db_url)  # fmt: skip
    assert code == 0, err
    shown = json.loads(out)
    assert shown["status"] == "matched" and shown["allocations"] == [
        {"invoice_id": "FB-1002", "amount": "80.00"}
    ]
    assert aging_total(cli, db_url) == "2774.00"
    code, _, err = invoke(cli, "cash", "allocate", rid, "FB-1001", "--db", db_url)
    assert code == 2 and "0.00 cannot be allocated" in err  # nothing left of the receipt
    code, _, err = invoke(cli, "cash", "allocate", rid, "NOPE-1", "--db", db_url)
    assert code == 2 and "no invoice" in err
    code, out, err = invoke(
        cli, "cash", "unallocate", rid, "--format", "json", "--by", "alice", "--db", db_url
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "suggested" and json.loads(out)["allocations"] == []
    assert aging_total(cli, db_url) == "2854.00"
    assert query(db_url, "SELECT COUNT(*) FROM entries WHERE kind = 'payment'") == [(0,)]
    # a person's undo is not redone by the next automatic run
    assert apply(cli, db_url)["receipts"] == []
    with Session(get_engine(db_url)) as session:
        mine = [(e.action, e.actor) for e in events(session) if e.actor == "alice"]
    assert mine == [("cash.unallocated", "alice"), ("cash.allocated", "alice")]


def test_partial_allocation_and_unallocating_one_invoice(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    setup_ledger(cli, tmp_path, sqlite_url, [line(1, "100.00", 20, "Inconnu", "", "")])
    rid = apply(cli, sqlite_url)["receipts"][0]["receipt_id"]
    assert invoke(cli, "cash", "allocate", rid, "FB-1001", "30", "--db", sqlite_url)[0] == 0
    code, out, _ = invoke(cli, "cash", "allocate", rid, "FB-1002", "--format", "json", "--db", sqlite_url)
    assert code == 0
    assert json.loads(out)["allocations"] == [
        {"invoice_id": "FB-1001", "amount": "30.00"}, {"invoice_id": "FB-1002", "amount": "70.00"},
    ]  # fmt: skip
    code, out, _ = invoke(cli, "cash", "unallocate", rid, "FB-1001", "--format", "json", "--db", sqlite_url)
    assert code == 0 and json.loads(out)["allocations"] == [{"invoice_id": "FB-1002", "amount": "70.00"}]
    # the rest of the receipt stays the customer's, unapplied: 2854 - 100
    assert aging_total(cli, sqlite_url) == "2754.00"


def test_unapplied_ledger_payments_are_applied_too(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    payments = "payment_id,customer_id,date,amount,reference\nP9,C1,2026-10-20,45.00,virement\n"
    setup_ledger(cli, tmp_path, db_url, [], payments)
    receipt = apply(cli, db_url)["receipts"][0]
    assert (receipt["receipt_id"], receipt["status"], receipt["rule"]) == ("P9", "matched", "amount")
    assert receipt["allocations"] == [{"invoice_id": "FA220304", "amount": "45.00"}]
    assert aging_total(cli, db_url) == "2809.00"
    assert apply(cli, db_url)["receipts"] == []
