"""The bulk write path of the import (driver rows, COPY, streamed chunks) stores exactly what
the ORM would, on SQLite and PostgreSQL, and sees every change on re-import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.ledger import repository
from encours.ledger.models import CustomerRow, EntryRow
from encours.storage.database import get_engine

HEADER = "invoice_id,customer_id,issue_date,due_date,amount,kind,disputed,reference\n"
LINES = [
    "F1,C1,2025-01-05,2025-02-04,100.10,invoice,false,PO 1",
    "F2,C1,2025-01-06,,20.00,invoice,true,",
    "A1,C2,2025-01-07,,5.55,credit_note,false,avoir",
    "F3,C3,2025-02-01,2025-03-31,0.01,invoice,no,x",
]


def stored(url: str) -> dict[str, tuple[object, ...]]:
    with get_engine(url).connect() as connection:
        rows = connection.execute(
            select(EntryRow.key, CustomerRow.customer_id, EntryRow.kind, EntryRow.date, EntryRow.due_date,
                   EntryRow.amount_cents, EntryRow.currency, EntryRow.disputed, EntryRow.label)
            .join(CustomerRow, CustomerRow.id == EntryRow.customer_pk)
        )  # fmt: skip
        return {row[0]: tuple(row[1:]) for row in rows}


def test_bulk_rows_read_back_typed_and_reimport_sees_each_change(
    cli: CliRunner, tmp_path: Path, db_url: str
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(HEADER + "\n".join(LINES) + "\n", encoding="utf-8")
    code, out, err = invoke(cli, "import", str(path), "--db", db_url)
    assert code == 0, err
    assert "customers 3 new" in out and "entries 4 new, 0 updated, 0 unchanged" in out
    rows = stored(db_url)
    assert rows["doc:F1"] == (
        "C1",
        "invoice",
        dt.date(2025, 1, 5),
        dt.date(2025, 2, 4),
        10010,
        "EUR",
        False,
        "PO 1",
    )
    assert rows["doc:F2"][3] == dt.date(2025, 2, 5) and rows["doc:F2"][6] is True  # net 30 by default
    assert rows["doc:A1"] == (
        "C2",
        "credit_note",
        dt.date(2025, 1, 7),
        dt.date(2025, 1, 7),
        -555,
        "EUR",
        False,
        "avoir",
    )
    code, out, _ = invoke(cli, "import", str(path), "--db", db_url)
    assert "entries 0 new, 0 updated, 4 unchanged" in out
    changed = [
        "F1,C1,2025-01-05,2025-02-04,100.11,invoice,false,PO 1",  # amount
        "F2,C1,2025-01-06,,20.00,invoice,false,",  # dispute lifted
        "A1,C2,2025-01-08,,5.55,credit_note,false,avoir",  # date
        LINES[3],
        "F4,C3,2025-02-02,,1.00,invoice,false,",  # new
    ]
    path.write_text(HEADER + "\n".join(changed) + "\n", encoding="utf-8")
    code, out, err = invoke(cli, "import", str(path), "--db", db_url)
    assert code == 0, err
    assert "entries 1 new, 3 updated, 1 unchanged" in out
    rows = stored(db_url)
    assert (
        rows["doc:F1"][4] == 10011 and rows["doc:F2"][6] is False and rows["doc:A1"][2] == dt.date(2025, 1, 8)
    )


def test_chunked_insert_stores_every_row_once(
    cli: CliRunner, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "INSERT_CHUNK", 7)
    lines = [f"F{i},C{i % 5},2025-03-01,,{i}.00,invoice,false," for i in range(1, 51)]
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = invoke(cli, "import", str(path), "--db", db_url)
    assert code == 0, err
    assert "customers 5 new" in out and "entries 50 new" in out
    rows = stored(db_url)
    assert len(rows) == 50 and sum(int(str(r[4])) for r in rows.values()) == 100 * sum(range(1, 51))


def test_sqlite_page_cache_is_restored_after_a_bulk_import(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(HEADER + "\n".join(LINES) + "\n", encoding="utf-8")
    engine = get_engine(sqlite_url)
    with engine.connect() as connection:
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    assert invoke(cli, "import", str(path), "--db", sqlite_url)[0] == 0
    with engine.connect() as connection:  # the pool hands back the connection the import used
        assert connection.execute(text("PRAGMA cache_size")).scalar() == before
