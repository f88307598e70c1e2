"""A small ledger imported through `encours import` (canonical CSV), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import invoke
from typer.testing import CliRunner

CUSTOMERS = """customer_id,name,siren
ACME,Acme SA,732829320
BETA,Béta SARL,552100554
GAMMA,Gamma,
"""
# every invoice long overdue at 2026-10-31, so a dunning run would act on each one
INVOICES = """invoice_id,customer_id,issue_date,amount,due_date
F207,ACME,2026-01-01,1000.00,2026-01-31
F208,ACME,2026-01-02,1100.00,2026-02-01
F210,ACME,2026-01-03,1200.00,2026-02-02
F213,ACME,2026-01-04,1300.00,2026-02-03
F220,ACME,2026-01-05,1400.00,2026-02-04
F225,ACME,2026-01-06,1500.00,2026-02-05
F205,BETA,2026-01-07,1600.00,2026-02-06
F211,BETA,2026-01-08,1700.00,2026-02-07
F999,BETA,2026-01-09,1800.00,2026-02-08
G1,GAMMA,2026-01-10,500.00,2026-02-09
"""
PAYMENTS = """payment_id,customer_id,date,amount,invoice_id
P1,BETA,2026-03-05,600.00,F205
P2,BETA,2026-03-20,1700.00,F211
P3,GAMMA,2026-03-06,200.00,G1
P0,BETA,2026-01-15,100.00,F999
"""


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def ok(cli: CliRunner, *args: str) -> str:
    code, out, err = invoke(cli, *args)
    assert code == 0, err
    return out


@pytest.fixture
def ledger(cli: CliRunner, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The ledger's database URL; the data directory is the test's own."""
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(tmp_path / "encours-data"))
    named = (("customers.csv", CUSTOMERS), ("invoices.csv", INVOICES), ("payments.csv", PAYMENTS))
    files = [write(tmp_path, name, content) for name, content in named]
    ok(cli, "import", *map(str, files), "--db", db_url)
    return db_url
