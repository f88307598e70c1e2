"""Importing bank statements never changes the aged balance or the KPIs by itself (SPEC §10).

A ledger (both FEC samples and a CSV ledger whose payer could be named in a statement) gets
every sample statement imported; the aging and KPI JSON must be byte for byte what they
were, on both backends.
"""

from __future__ import annotations

from pathlib import Path

from tests.bank.conftest import STATEMENTS, camt053_as_mt940, count, write
from tests.conftest import SAMPLES, invoke
from typer.testing import CliRunner

DATES = ("2014-01-31", "2017-12-31", "2022-12-31", "2023-12-31", "2026-10-31")


def figures(cli: CliRunner, url: str) -> list[str]:
    found = []
    for day in DATES:
        for command in ("aging", "kpi"):
            code, out, err = invoke(cli, command, "--as-of", day, "--format", "json", "--db", url)
            assert code == 0, err
            found.append(out)
    return found


def test_statements_leave_aging_and_kpis_as_they_were(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    invoices = write(
        tmp_path,
        "invoices.csv",
        "invoice_id,customer_id,issue_date,amount,due_date\n"
        "F2017-01,BCV,2017-02-01,2187.00,2017-03-01\nF2022-01,TC,2022-01-01,5.00,2022-01-20\n",
    )
    fecs = sorted(str(p) for p in (SAMPLES / "fec").glob("*.txt"))
    code, _, err = invoke(cli, "import", *fecs, str(invoices), "--db", db_url)
    assert code == 0, err
    before = figures(cli, db_url)
    entries = count(db_url, "entries")
    statements = [str(p) for p in STATEMENTS] + [str(write(tmp_path, "same.sta", camt053_as_mt940()))]
    code, out, _ = invoke(cli, "import", *statements, "--db", db_url)
    assert code == 2  # the three unbalanced samples are refused, the others imported
    assert out.count("bank transactions") >= len(statements) - 3
    assert count(db_url, "bank_transactions") > 0
    assert count(db_url, "entries") == entries
    assert figures(cli, db_url) == before
