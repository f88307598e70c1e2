"""Canonical CSV files as spreadsheets and other tools write them (SPEC §2)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.acceptance.cli import encours, sqlite_db


def test_fully_quoted_csv_is_recognised_from_its_header(tmp_path: Path) -> None:
    """RFC 4180 allows quoting every field, header included; the kind is still read from it."""
    (tmp_path / "invoices.csv").write_bytes(
        b'"invoice_id","customer_id","issue_date","amount"\r\n"F1","C1","2023-01-01","10.00"\r\n'
    )
    db = sqlite_db(tmp_path)
    imported = encours("import", "invoices.csv", "--db", db, cwd=tmp_path)
    assert imported.code == 0, imported.stderr
    aging = encours("aging", "--as-of", "2023-03-01", "--format", "json", "--db", db, cwd=tmp_path)
    rows = json.loads(aging.stdout)["rows"]
    assert [(r["customer_id"], r["total"], r["1-30"]) for r in rows] == [("C1", "10.00", "10.00")]


def test_quoted_headers_still_order_files_customers_invoices_payments(tmp_path: Path) -> None:
    """One command takes the files in any order, quoted headers included."""
    (tmp_path / "p.csv").write_text(
        '"payment_id","customer_id","date","amount","invoice_id"\n"P1","C1","2023-01-20","4.00","F1"\n'
    )
    (tmp_path / "i.csv").write_text(
        '"invoice_id","customer_id","issue_date","amount"\n"F1","C1","2023-01-01","10.00"\n'
    )
    db = sqlite_db(tmp_path)
    imported = encours("import", "p.csv", "i.csv", "--db", db, cwd=tmp_path)
    assert imported.code == 0, imported.stderr
    aging = encours("aging", "--as-of", "2023-01-31", "--format", "csv", "--db", db, cwd=tmp_path)
    assert aging.stdout.splitlines()[1] == "C1,C1,EUR,6.00,6.00,0.00,0.00,0.00,0.00"


def test_a_payment_without_currency_takes_the_currency_of_its_invoice(tmp_path: Path) -> None:
    """`currency` is optional in a payments file: a payment allocated to a USD invoice is in USD."""
    (tmp_path / "i.csv").write_text(
        "invoice_id,customer_id,issue_date,amount,currency\nU1,K9,2024-01-01,250,USD\n"
    )
    (tmp_path / "p.csv").write_text(
        "payment_id,customer_id,date,amount,invoice_id\nP1,K9,2024-01-10,300,U1\n"
    )
    db = sqlite_db(tmp_path)
    imported = encours("import", "i.csv", "p.csv", "--db", db, cwd=tmp_path)
    assert imported.code == 0, imported.stderr
    again = encours("import", "p.csv", "--db", db, cwd=tmp_path)
    assert "0 new, 0 updated, 1 unchanged" in again.stdout
    aging = encours("aging", "--as-of", "2024-01-20", "--format", "csv", "--db", db, cwd=tmp_path)
    # the invoice is settled; the 50.00 excess stays unapplied, in USD, aged from the payment date
    assert aging.stdout.splitlines()[1:] == ["K9,K9,USD,-50.00,0.00,-50.00,0.00,0.00,0.00"]


def test_header_names_in_another_case_are_read_as_recognised(tmp_path: Path) -> None:
    """The kind is recognised from the header in any case; the columns are then read the same way."""
    (tmp_path / "i.csv").write_text(
        "Invoice_ID,Customer_ID,Issue_Date,Amount,Due_Date\nF1,C1,2023-01-01,10.00,2023-01-05\n"
    )
    db = sqlite_db(tmp_path)
    imported = encours("import", "i.csv", "--db", db, cwd=tmp_path)
    assert imported.code == 0, imported.stderr
    aging = encours("aging", "--as-of", "2023-01-31", "--format", "csv", "--db", db, cwd=tmp_path)
    assert aging.stdout.splitlines()[1:] == ["C1,C1,EUR,10.00,0.00,10.00,0.00,0.00,0.00"]
