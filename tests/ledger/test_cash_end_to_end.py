"""End to end on the shared samples, read in place: a FEC ledger, then every bank statement,
then cash application. Statements alone never move the aged balance; cash application moves it
by exactly the bank money it matched, and a second run (or a re-import) counts nothing twice."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.conftest import SAMPLES, invoke, query
from typer.testing import CliRunner

AS_OF = "2023-12-31"
STATEMENTS = sorted(
    p for folder in ("camt053", "camt054", "ofx", "mt940", "cfonb120") for p in (SAMPLES / folder).iterdir()
    if p.suffix in (".xml", ".ofx", ".sta", ".txt")
)  # fmt: skip


def total(cli: CliRunner, url: str) -> Decimal:
    code, out, err = invoke(cli, "aging", "--as-of", AS_OF, "--format", "json", "--db", url)
    assert code == 0, err
    return Decimal(json.loads(out)["totals"]["total"])


def test_fec_then_statements_then_cash_apply(cli: CliRunner, sqlite_url: str, tmp_path: Path) -> None:
    assert (
        invoke(cli, "import", str(SAMPLES / "fec" / "000000000FEC20231231.txt"), "--db", sqlite_url)[0] == 0
    )
    ledger_total = total(cli, sqlite_url)
    for statement in STATEMENTS:
        invoke(cli, "import", str(statement), "--db", sqlite_url)  # a sample whose balances fail is refused
    assert query(sqlite_url, "SELECT COUNT(*) FROM bank_transactions")[0][0] > 0
    assert total(cli, sqlite_url) == ledger_total
    code, out, err = invoke(cli, "cash", "apply", "--as-of", AS_OF, "--format", "json", "--db", sqlite_url)
    assert code == 0, err
    run = json.loads(out)
    lines = {str(i) for (i,) in query(sqlite_url, "SELECT id FROM bank_transactions")}
    bank_matched = [r for r in run["receipts"] if r["receipt_id"] in lines and r["status"] == "matched"]
    for receipt in run["receipts"]:
        assert receipt["status"] == "matched" or receipt["reason"], receipt
        assert all(not a["invoice_id"].startswith("fec:") for a in receipt["allocations"])
    non_customer = query(sqlite_url, "SELECT status FROM bank_transactions WHERE kind <> 'customer_credit'")
    assert {status for (status,) in non_customer} <= {"unmatched", "ignored"}  # never matched
    matched_money = sum((Decimal(r["amount"]) for r in bank_matched), Decimal(0))
    assert total(cli, sqlite_url) == ledger_total - matched_money
    # again: nothing new, nothing counted twice; a statement imported again changes nothing
    again = json.loads(
        invoke(cli, "cash", "apply", "--as-of", AS_OF, "--format", "json", "--db", sqlite_url)[1]
    )
    assert again["summary"]["matched"] == 0
    invoke(cli, "import", str(STATEMENTS[0]), "--db", sqlite_url)
    assert total(cli, sqlite_url) == ledger_total - matched_money
