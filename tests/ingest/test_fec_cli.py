"""`encours import` of FEC files end to end: aged balance, idempotence, later exports, rejection."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, select
from tests.conftest import invoke
from tests.ingest.fec_files.synthetic import FecLine, Style, base_lines, render
from typer.testing import CliRunner

BUCKETS = ["not_due", "1-30", "31-60", "61-90", "91+"]


def amounts(total: str, *by_bucket: str) -> dict[str, str]:
    """Total then the buckets in order; buckets left out are zero."""
    padded = [*by_bucket, *["0.00"] * (len(BUCKETS) - len(by_bucket))]
    return {"total": total, **dict(zip(BUCKETS, padded, strict=True))}


def row(customer_id: str, name: str, total: str, *by_bucket: str) -> dict[str, str]:
    return {"customer_id": customer_id, "name": name, **amounts(total, *by_bucket)}


# Worked out by hand from the ledger described in fec_files/synthetic.py (30 days' terms):
# at 2023-03-31
# - Écho: F003 360 due 04-19 -> not due; two cheques of 50 on 03-25 -> 6 days -> 1-30.
# - Dupont: opening 1500 and F001 settled by their letters (AA on 01-20, AB on 02-20);
#   F004 3456.78 due 04-27 -> not due; F005 is Martin's and dated after D.
# - Martin: opening 200 due 01-31 -> 59 days -> 31-60; F002 2400 due 03-17 -> 14 days, the
#   payment of 1000 (03-10, 21 days) and credit note 120 (03-05, 26 days) unlettered -> 1-30.
AT_END_OF_MARCH = {
    "as_of": "2023-03-31",
    "currency": "EUR",
    "buckets": BUCKETS,
    "rows": [
        row("411200", "Client Écho", "260.00", "360.00", "-100.00"),
        row("CDUPONT", "Dupont SA", "3456.78", "3456.78"),
        row("CMARTIN", "Martin & Fils", "1480.00", "0.00", "1280.00", "200.00"),
    ],
    "totals": amounts("5196.78", "3816.78", "1180.00", "200.00"),
}
# at 2023-02-10: F001 (due 02-08) is paid only on 02-20, so it is still open and 2 days late;
# Dupont's opening balance was settled on 01-20; Martin's opening balance is 10 days late.
AT_FEBRUARY_10 = {
    "as_of": "2023-02-10",
    "currency": "EUR",
    "buckets": BUCKETS,
    "rows": [
        row("CDUPONT", "Dupont SA", "1200.00", "0.00", "1200.00"),
        row("CMARTIN", "Martin & Fils", "200.00", "0.00", "200.00"),
    ],
    "totals": amounts("1400.00", "0.00", "1400.00"),
}


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def aging(cli: CliRunner, db: str, as_of: str) -> Any:
    code, out, err = invoke(cli, "aging", "--as-of", as_of, "--format", "json", "--db", db)
    assert code == 0, err
    return json.loads(out)


def snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in a fixed order."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        found = {
            name: sorted((dict(row._mapping) for row in connection.execute(select(table))), key=repr)
            for name, table in metadata.tables.items()
        }
    engine.dispose()
    return found


def later_export() -> list[FecLine]:
    """The next export: Martin pays the rest of F002 and the letter "ab" now balances."""
    extra = FecLine(
        "BQ", "Banque", "12", dt.date(2023, 4, 12), "411000", "Clients", "CMARTIN", "Martin & Fils",
        "VIR0412", None, "Solde F002 Martin", Decimal("0"), Decimal("1400.00"), "ab",
    )  # fmt: skip
    bank = extra._replace(account="512000", account_lib="Banque", aux="", aux_lib="", letter="",
                          debit=Decimal("1400.00"), credit=Decimal("0"))  # fmt: skip
    return [*base_lines(), extra, bank]


def test_aged_balance_worked_out_by_hand(cli: CliRunner, sqlite_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "123456789FEC20991231.txt", render(base_lines()))  # name's date not checked
    code, out, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 0, err
    assert "(fec)" in out
    assert aging(cli, sqlite_url, "2023-03-31") == AT_END_OF_MARCH
    assert aging(cli, sqlite_url, "2023-02-10") == AT_FEBRUARY_10


def test_reimport_changes_nothing(cli: CliRunner, sqlite_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "FEC.txt", render(base_lines()))
    assert invoke(cli, "import", str(path), "--db", sqlite_url)[0] == 0
    before = snapshot(sqlite_url)
    assert len(before["entries"]) == 13 and len(before["allocations"]) == 2
    code, out, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 0, err
    assert "entries 0 new, 0 updated, 13 unchanged" in out
    assert snapshot(sqlite_url) == before


def test_later_export_keeps_entries_and_settles_the_new_letter(
    cli: CliRunner, sqlite_url: str, tmp_path: Path
) -> None:
    first = write(tmp_path, "FEC20230331.txt", render(base_lines()))
    assert invoke(cli, "import", str(first), "--db", sqlite_url)[0] == 0
    before = {row["key"]: row for row in snapshot(sqlite_url)["entries"]}
    later = write(tmp_path, "FEC20230430.txt", render(later_export(), Style(separator="|", line_end="\r\n")))
    code, out, err = invoke(cli, "import", str(later), "--db", sqlite_url)
    assert code == 0, err
    assert "entries 1 new, 0 updated, 13 unchanged" in out
    after = {row["key"]: row for row in snapshot(sqlite_url)["entries"]}
    assert all(after[key] == row for key, row in before.items())  # same ids, same values
    march = aging(cli, sqlite_url, "2023-03-31")
    assert march == AT_END_OF_MARCH  # the settlement is dated 04-12: March is unchanged
    totals = aging(cli, sqlite_url, "2023-04-30")["totals"]
    # Martin at 04-30: opening 200, credit note -120, F005 600; F002 settled by 1000 + 1400
    assert totals["total"] == f"{Decimal('260') + Decimal('3456.78') + 200 - 120 + 600:.2f}"


def test_bad_file_is_refused_whole_and_names_file_line_field(
    cli: CliRunner, sqlite_url: str, tmp_path: Path
) -> None:
    good = write(tmp_path, "FEC20230331.txt", render(base_lines()))
    assert invoke(cli, "import", str(good), "--db", sqlite_url)[0] == 0
    before = snapshot(sqlite_url)
    text = render(later_export()).decode()
    lines = text.split("\n")
    lines[3] = lines[3].replace("20230101", "20230231", 1)  # physical line 4: EcritureDate
    lines[6] = lines[6].replace("0,00", "0,0x", 1)  # line 7: an amount
    bad = write(tmp_path, "FEC20230430.txt", "\n".join(lines).encode())
    code, _, err = invoke(cli, "import", str(bad), "--db", sqlite_url)
    assert code == 2
    flat = " ".join(err.split())
    assert f"{bad}:4 [EcritureDate]" in flat
    assert f"{bad}:7 [Debit]" in flat  # the first "0,00" of line 7 is its Debit
    assert "nothing imported" in flat
    assert snapshot(sqlite_url) == before


def test_every_variant_through_the_cli_on_both_databases(cli: CliRunner, db_url: str, tmp_path: Path) -> None:
    style = Style(
        separator="|", encoding="iso-8859-15", line_end="\r\r\n", pad=True, zero_pad=15,
        trailing_separator=True, montant_sens=("D", "C"), extra_columns=True,
        date_format="%d/%m/%Y", blank_lines=True,
    )  # fmt: skip
    path = write(tmp_path, "FEC.txt", render(base_lines(), style))
    code, _, err = invoke(cli, "import", str(path), "--db", db_url)
    assert code == 0, err
    assert aging(cli, db_url, "2023-03-31") == AT_END_OF_MARCH
    assert aging(cli, db_url, "2023-02-10") == AT_FEBRUARY_10
    code, out, err = invoke(cli, "import", str(path), "--db", db_url)
    assert code == 0 and "13 unchanged" in out, err


def test_customer_file_terms_and_names_apply_to_the_fec(
    cli: CliRunner, sqlite_url: str, tmp_path: Path
) -> None:
    customers = write(
        tmp_path, "customers.csv", b"customer_id,name,payment_terms_days\nCMARTIN,Martin SARL,60\n"
    )
    fec = write(tmp_path, "FEC.txt", render(base_lines()))
    code, _, err = invoke(cli, "import", str(fec), str(customers), "--db", sqlite_url)  # any order
    assert code == 0, err
    rows = {row["customer_id"]: row for row in aging(cli, sqlite_url, "2023-03-31")["rows"]}
    # 60 days for Martin: F002 (2400, 02-15) is due 04-16, not late; the opening balance (200,
    # 01-01) is due 03-02, 29 days late; the payment and credit note keep their own dates.
    assert rows["CMARTIN"]["name"] == "Martin SARL"
    assert rows["CMARTIN"]["not_due"] == "2400.00"
    assert rows["CMARTIN"]["1-30"] == "-920.00"
    assert rows["CMARTIN"]["31-60"] == "0.00"
    assert rows["CMARTIN"]["total"] == "1480.00"
    assert rows["CDUPONT"] == row("CDUPONT", "Dupont SA", "3456.78", "3456.78")
