"""`encours import` of canonical CSV files: counts, idempotence, all-or-nothing, exit codes."""

import json
from pathlib import Path

import pytest
from tests.conftest import invoke, query
from typer.testing import CliRunner

from encours.cli.output import RICH_TABLE_MAX_ROWS, print_table

CUSTOMERS = "customer_id,name,payment_terms_days,currency\nC1,Acme,45,EUR\nC2,Béta SARL,,\n"
INVOICES = (
    "invoice_id,customer_id,issue_date,amount,due_date,kind,disputed\n"
    "F1,C1,2023-05-01,1200.00,,invoice,false\n"
    "F2,C2,2023-03-01,500.00,2023-03-31,,\n"
    "A1,C2,2023-04-10,100.00,,credit_note,\n"
    "F3,C3,2023-06-20,80.50,2023-07-20,invoice,true\n"
)
PAYMENTS = (
    "payment_id,customer_id,date,amount,invoice_id\n"
    "P1,C2,2023-05-15,300.00,F2\n"
    "P2,C1,2023-06-01,50.00,\n"
    "P3,C2,2023-06-10,250.00,F2\n"
)


def write(folder: Path, name: str, content: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(content, encoding=encoding)
    return path


def snapshot(url: str) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for table in ("customers", "entries", "allocations"):
        rows += query(url, f"SELECT * FROM {table} ORDER BY id")
    return rows


def aging_json(cli: CliRunner, url: str, as_of: str) -> dict[str, object]:
    code, out, err = invoke(cli, "aging", "--as-of", as_of, "--format", "json", "--db", url)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_import_then_aging_follows_spec(cli: CliRunner, tmp_path: Path, db_url: str) -> None:
    files = [
        write(tmp_path, n, c) for n, c in (("p.csv", PAYMENTS), ("i.csv", INVOICES), ("c.csv", CUSTOMERS))
    ]
    code, out, err = invoke(cli, "import", *map(str, files), "--db", db_url)
    assert code == 0, err
    assert "entries 4 new" in out and "entries 3 new" in out
    result = aging_json(cli, db_url, "2023-06-30")
    rows = {row["customer_id"]: row for row in result["rows"]}  # type: ignore[index]
    # C1: F1 due 2023-06-15 (45 days terms) is 15 days late; P2 unapplied, dated 06-01 → 29 days
    assert rows["C1"]["1-30"] == "1150.00" and rows["C1"]["total"] == "1150.00"
    # C2: F2 500 - 300 - 200 (P3 capped at the open 200, 50 unapplied from 06-10); credit note A1 from 04-10
    assert rows["C2"]["total"] == "-150.00"
    assert rows["C2"]["1-30"] == "-50.00" and rows["C2"]["61-90"] == "-100.00"
    # C3 created from the invoice alone, named by its id; its invoice is not yet due
    assert rows["C3"]["name"] == "C3" and rows["C3"]["not_due"] == "80.50"
    assert result["totals"]["total"] == "1080.50"  # type: ignore[index]
    # before the payments: F2 fully open
    early = aging_json(cli, db_url, "2023-05-14")
    c2 = next(r for r in early["rows"] if r["customer_id"] == "C2")  # type: ignore[union-attr]
    assert c2["total"] == "400.00"


def test_reimport_changes_nothing(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    files = [
        str(write(tmp_path, n, c))
        for n, c in (("c.csv", CUSTOMERS), ("i.csv", INVOICES), ("p.csv", PAYMENTS))
    ]
    assert invoke(cli, "import", *files, "--db", sqlite_url)[0] == 0
    before = snapshot(sqlite_url)
    code, out, _ = invoke(cli, "import", *files, "--db", sqlite_url)
    assert code == 0
    assert "0 new, 0 updated, 4 unchanged" in out
    assert snapshot(sqlite_url) == before


def test_bad_file_is_refused_whole_and_names_file_line_field(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    good = write(tmp_path, "i.csv", INVOICES)
    assert invoke(cli, "import", str(good), "--db", sqlite_url)[0] == 0
    before = snapshot(sqlite_url)
    bad = write(
        tmp_path,
        "bad.csv",
        "invoice_id,customer_id,issue_date,amount\nF1,C1,2023-05-01,999.00\nF9,C1,2023-13-01,10\n\nF10,C1,2023-01-01,abc\n",
    )
    code, _out, err = invoke(cli, "import", str(bad), "--db", sqlite_url)
    assert code == 2
    assert f"{bad}:3 [issue_date]" in err
    assert f"{bad}:5 [amount]" in err
    assert snapshot(sqlite_url) == before  # F1 was not changed to 999.00


def test_missing_column_unknown_invoice_and_unknown_format(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    no_amount = write(tmp_path, "x.csv", "invoice_id,customer_id,issue_date\nF1,C1,2023-01-01\n")
    code, _, err = invoke(cli, "import", str(no_amount), "--db", sqlite_url)
    assert code == 2 and "unrecognised" in err
    orphan = write(
        tmp_path, "p.csv", "payment_id,customer_id,date,amount,invoice_id\nP1,C1,2023-01-01,5,NOPE\n"
    )
    code, _, err = invoke(cli, "import", str(orphan), "--db", sqlite_url)
    assert code == 2 and f"{orphan}:2 [invoice_id]" in err
    assert snapshot(sqlite_url) == []
    code, _, err = invoke(cli, "import", str(tmp_path / "missing.csv"), "--db", sqlite_url)
    assert code == 2 and "cannot read" in err


def test_outputs_are_deterministic_and_csv_has_buckets(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    files = [
        str(write(tmp_path, n, c))
        for n, c in (("c.csv", CUSTOMERS), ("i.csv", INVOICES), ("p.csv", PAYMENTS))
    ]
    invoke(cli, "import", *files, "--db", sqlite_url)
    first = invoke(cli, "aging", "--as-of", "2023-06-30", "--format", "csv", "--db", sqlite_url)[1]
    assert first == invoke(cli, "aging", "--as-of", "2023-06-30", "--format", "csv", "--db", sqlite_url)[1]
    assert first.splitlines()[0] == "customer_id,name,currency,total,not_due,1-30,31-60,61-90,91+"
    kpi = json.loads(invoke(cli, "kpi", "--as-of", "2023-06-30", "--format", "json", "--db", sqlite_url)[1])
    assert kpi["outstanding"] == "1080.50"
    assert set(kpi) >= {"as_of", "currency", "overdue", "overdue_ratio", "dso_countback", "dso_simple",
                        "best_possible_dso", "add", "cei"}  # fmt: skip
    assert invoke(cli, "aging", "--as-of", "2023-02-30", "--db", sqlite_url)[0] == 2


def test_large_tables_print_plainly_with_every_row(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [[f"C{i:05d}", f"Name {i}", "1.00"] for i in range(RICH_TABLE_MAX_ROWS + 1)]
    print_table("Big", ["customer_id", "name", "total"], rows, ["TOTAL", "", f"{len(rows)}.00"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Big" and lines[1].split() == ["customer_id", "name", "total"]
    assert len(lines) == 3 + len(rows) + 2 and lines[-1].split() == ["TOTAL", "2001.00"]
    assert lines[3].startswith("C00000") and lines[3].endswith("1.00")


ADDRESSED = (
    "customer_id,name,address_line1,address_line2,postal_code,city,phone,iban\n"
    "C1,Acme,3 rue Pasteur,Bâtiment B,69007,Lyon,+33 4 72 00 00 00,"
    "FR76 3000 6000 0112 3456 7890 189;DE89 3704 0044 0532 0130 00\n"
    "C2,Béta SARL,,,,,,\n"
)


def test_customers_get_postal_address_phone_and_ibans(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    path = write(tmp_path, "c.csv", ADDRESSED)
    assert invoke(cli, "import", str(path), "--db", sqlite_url)[0] == 0
    columns = "customer_id, address_line1, address_line2, postal_code, city, phone, iban"
    rows = query(sqlite_url, f"SELECT {columns} FROM customers ORDER BY customer_id")
    assert rows == [
        ("C1", "3 rue Pasteur", "Bâtiment B", "69007", "Lyon", "+33 4 72 00 00 00",
         "FR7630006000011234567890189;DE89370400440532013000"),
        ("C2", None, None, None, None, None, None),
    ]  # fmt: skip
    code, out, _ = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 0 and "customers 0 new, 0 updated" in out  # idempotent
    moved = write(tmp_path, "c.csv", ADDRESSED.replace("3 rue Pasteur", "10 quai des Chartrons"))
    code, out, _ = invoke(cli, "import", str(moved), "--db", sqlite_url)
    assert code == 0 and "customers 0 new, 1 updated" in out  # a new address updates, never duplicates
    assert query(
        sqlite_url, "SELECT count(*), min(address_line1) FROM customers WHERE customer_id = 'C1'"
    ) == [(1, "10 quai des Chartrons")]


def test_a_bad_iban_is_bad_input_naming_file_line_and_field(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    bad = write(
        tmp_path, "c.csv",
        "customer_id,name,iban,city\nC1,Acme,FR7630006000011234567890189,Lyon\n"
        "C2,Béta,FR7630006000011234567890188,Lyon\nC3,Gamma,DE89370400440532013000;XX12,Metz\n",
    )  # fmt: skip
    code, _, err = invoke(cli, "import", str(bad), "--db", sqlite_url)
    assert code == 2
    assert f"{bad}:3 [iban]" in err and f"{bad}:4 [iban]" in err and f"{bad}:2" not in err
    assert query(sqlite_url, "SELECT count(*) FROM customers") == [(0,)]
