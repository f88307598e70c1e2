"""Cash application: confident matches only, stored as allocations that aging then reflects."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from tests.conftest import invoke
from typer.testing import CliRunner

from encours.domain.cash_application import MatchRule, OpenDocument, Receipt, apply_receipts

D = dt.date


FEB_1 = D(2024, 2, 1)


def doc(key: str, amount: str, due: D = FEB_1) -> OpenDocument:
    return OpenDocument(key, key, D(2024, 1, 1), due, Decimal(amount))


def test_reference_then_exact_amount_then_oldest_first() -> None:
    docs = [doc("F-1001", "100"), doc("F-1002", "250", D(2024, 1, 15)), doc("F-1003", "70", D(2024, 3, 1))]
    named = apply_receipts([Receipt("r1", D(2024, 2, 5), Decimal("300"), "VIR ACME F-1003")], docs)
    assert [(p.document_key, p.amount, p.rule) for p in named] == [
        ("F-1003", Decimal("70"), MatchRule.REFERENCE)
    ]
    exact = apply_receipts([Receipt("r2", D(2024, 2, 5), Decimal("250"), "virement")], docs)
    assert [(p.document_key, p.rule) for p in exact] == [("F-1002", MatchRule.EXACT_AMOUNT)]
    oldest = apply_receipts([Receipt("r3", D(2024, 2, 5), Decimal("350"), "")], docs)
    assert [p.document_key for p in oldest] == ["F-1002", "F-1001"]
    assert apply_receipts([Receipt("r4", D(2024, 2, 5), Decimal("123"), "")], docs) == []


def test_two_receipts_never_pay_the_same_invoice_twice() -> None:
    docs = [doc("F-1001", "100"), doc("F-1002", "100")]
    receipts = [Receipt(k, D(2024, 2, 5), Decimal("100"), "F-1001") for k in ("a", "b")]
    proposals = apply_receipts(receipts, docs)
    # b names a settled invoice: left for a person rather than guessed onto F-1002
    assert [(p.receipt_key, p.document_key) for p in proposals] == [("a", "F-1001")]


def test_cli_applies_and_aging_reflects_it(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    (tmp_path / "i.csv").write_text(
        "invoice_id,customer_id,issue_date,amount,due_date\n"
        "F1001,C1,2024-01-01,100.00,2024-01-31\nF1002,C1,2024-01-05,40.00,2024-01-20\n"
    )
    (tmp_path / "p.csv").write_text(
        "payment_id,customer_id,date,amount,reference\nP1,C1,2024-02-10,40.00,paiement F1002\n"
    )
    assert invoke(cli, "import", str(tmp_path / "i.csv"), str(tmp_path / "p.csv"), "--db", sqlite_url)[0] == 0
    code, out, _ = invoke(
        cli, "cash", "apply", "--as-of", "2024-02-29", "--dry-run", "--format", "json", "--db", sqlite_url
    )
    assert code == 0 and json.loads(out)[0]["document"] == "doc:F1002"
    aging = json.loads(
        invoke(cli, "aging", "--as-of", "2024-02-29", "--format", "json", "--db", sqlite_url)[1]
    )
    # dry run stored nothing: F1001 (29 days) and P1 (19 days) in 1-30, F1002 (40 days) in 31-60
    assert aging["totals"]["1-30"] == "60.00" and aging["totals"]["31-60"] == "40.00"
    assert invoke(cli, "cash", "apply", "--as-of", "2024-02-29", "--db", sqlite_url)[0] == 0
    aging = json.loads(
        invoke(cli, "aging", "--as-of", "2024-02-29", "--format", "json", "--db", sqlite_url)[1]
    )
    assert aging["totals"]["total"] == "100.00"
    assert aging["totals"]["1-30"] == "100.00" and aging["totals"]["31-60"] == "0.00"
    # a second run finds nothing left to apply
    code, out, _ = invoke(
        cli, "cash", "apply", "--as-of", "2024-02-29", "--format", "json", "--db", sqlite_url
    )
    assert json.loads(out) == []
