"""Issue 11's bad inputs: each is refused (exit 2) naming file, line and field, on SQLite and
PostgreSQL, and a refused command stores nothing of any of its files."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import SAMPLES, invoke, query
from typer.testing import CliRunner

HEADER = "invoice_id,customer_id,issue_date,amount,due_date,currency,reference"
CASES = [
    # (the invoice line, the field named)
    ("F9,C1,2026-01-01,99999999999999999999.99,,,", "amount"),
    ("F9,C1,2026-01-01,1e400,,,", "amount"),
    ("F9,C1,2026-01-01,1e15,,,", "amount"),
    ("F9,C1,2026-01-01,NaN,,,", "amount"),
    ("F9,C1,9999-01-01,10.00,,,", "issue_date"),
    ("F9,C1,1900-01-01,10.00,,,", "issue_date"),
    ("F9,C1,2999-01-01,10.00,,,", "issue_date"),
    ("F9,C1,2026-01-01,10.00,,XYZ,", "currency"),
    ("F9,C\u200b1,2026-01-01,10.00,,,", "customer_id"),
    ("F9, C1,2026-01-01,10.00,,,", "customer_id"),
    ("F9,C1,2026-01-01,10.00,2025-12-31,,", "due_date"),
    ("F9,C1,2026-01-01,10.00,,," + "x" * 200_000, "reference"),
    ("F9," + "C" * 65 + ",2026-01-01,10.00,,,", "customer_id"),
    ("F9,C1,2026-01-01,10.00,,,PO\x00 12", "label"),  # PostgreSQL refuses NUL in text
]


def stored_rows(url: str) -> list[tuple[object, ...]]:
    return query(
        url,
        "SELECT e.key, c.customer_id, e.amount_cents FROM entries e"
        " JOIN customers c ON c.id = e.customer_pk ORDER BY e.key",
    )


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, cli: CliRunner) -> str:
    first = tmp_path / "first.csv"
    first.write_text(f"{HEADER}\nF1,C1,2026-01-01,10.00,,,\n", encoding="utf-8")
    assert invoke(cli, "import", str(first), "--db", db_url)[0] == 0
    return db_url


@pytest.mark.parametrize(("line", "field"), CASES, ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_implausible_value_is_refused_naming_its_field(
    line: str, field: str, ledger: str, tmp_path: Path, cli: CliRunner
) -> None:
    before = stored_rows(ledger)
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{line}\n", encoding="utf-8")
    code, _, err = invoke(cli, "import", str(path), "--db", ledger)
    assert code == 2
    assert f"{path}:2 [{field}]" in err
    assert stored_rows(ledger) == before


def test_reimport_moving_an_invoice_to_another_customer_is_refused(
    ledger: str, tmp_path: Path, cli: CliRunner
) -> None:
    path = tmp_path / "moved.csv"
    path.write_text(f"{HEADER}\nF1,C2,2026-01-01,10.00,,,\n", encoding="utf-8")
    code, _, err = invoke(cli, "import", str(path), "--db", ledger)
    assert code == 2 and f"{path}:2 [customer_id]" in err and "belongs to customer 'C1'" in err
    assert stored_rows(ledger) == [("doc:F1", "C1", 1000)]


def test_a_refused_file_stores_nothing_and_the_others_are_imported(
    ledger: str, tmp_path: Path, cli: CliRunner
) -> None:
    """SPEC §1: all or nothing per file; the command reports every refusal and exits 2."""
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nF3,C4,2026-02-01,10.00,,,\nF4,C4,2026-02-01,1e15,,,\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\nF2,C3,2026-02-01,20.00,,,\n", encoding="utf-8")
    code, out, err = invoke(cli, "import", str(bad), str(good), "--db", ledger)
    assert code == 2
    assert f"{bad}:3 [amount]" in err and f"{bad}: nothing imported" in err.replace("\n", "")
    assert "good.csv" in out
    assert stored_rows(ledger) == [("doc:F1", "C1", 1000), ("doc:F2", "C3", 2000)]
    assert query(ledger, "SELECT customer_id FROM customers ORDER BY 1") == [("C1",), ("C3",)]


def test_unbalanced_fec_entry_is_refused(sqlite_url: str, tmp_path: Path, cli: CliRunner) -> None:
    sample = SAMPLES / "fec" / "000000000FEC20231231.txt"
    lines = sample.read_bytes().split(b"\n")
    row = next(i for i, line in enumerate(lines[1:], 1) if b"411" in line and b"0,00" in line)
    path = tmp_path / sample.name
    lines[row] = lines[row].replace(b"0,00", b"0,01", 1)
    path.write_bytes(b"\n".join(lines))
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2 and "does not balance" in err
    assert query(sqlite_url, "SELECT COUNT(*) FROM entries") == [(0,)]


def test_mt940_amount_is_read_strictly(sqlite_url: str, tmp_path: Path, cli: CliRunner) -> None:
    sample = SAMPLES / "mt940" / "betterplace-sepa_snippet.sta"
    path = tmp_path / sample.name
    path.write_bytes(sample.read_bytes().replace(b"CR50990,05NTRF", b"CR50990,0XNTRF"))
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2 and f"{path}:5 [:61:]" in err
    assert query(sqlite_url, "SELECT COUNT(*) FROM entries") == [(0,)]
