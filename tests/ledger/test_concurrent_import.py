"""Two `encours import` processes at once on PostgreSQL: both succeed, nothing stored twice.

Customers are created with INSERT ... ON CONFLICT DO NOTHING, so two files naming the same
new customers can be imported side by side; the same entries imported twice at once are
caught by the unique key and the later command redoes its work, finding them stored.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import query

from encours.storage.database import get_engine

ENCOURS = str(Path(sys.executable).parent / "encours")
CUSTOMERS = 400
INVOICES = 6000


def invoices_file(path: Path, prefix: str) -> Path:
    """Invoices of the same new customers C0000..C0399, numbered ``prefix``-n."""
    lines = ["invoice_id,customer_id,issue_date,amount"]
    lines += [
        f"{prefix}-{n},C{n % CUSTOMERS:04d},2026-03-{1 + n % 28:02d},{100 + n}.50" for n in range(INVOICES)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_at_once(url: str, *files: Path) -> list[subprocess.CompletedProcess[str]]:
    started = [
        subprocess.Popen(
            [ENCOURS, "import", str(file), "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for file in files
    ]
    results = []
    for process in started:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_two_imports_creating_the_same_customers_both_succeed(postgres_url: str, tmp_path: Path) -> None:
    get_engine(postgres_url)  # the schema exists before both start (as after any first command)
    first = invoices_file(tmp_path / "a.csv", "A")
    second = invoices_file(tmp_path / "b.csv", "B")
    results = import_at_once(postgres_url, first, second)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-500:] for r in results]
    [(customers, distinct)] = query(
        postgres_url, "SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM customers"
    )
    assert customers == distinct == CUSTOMERS
    [(entries,)] = query(postgres_url, "SELECT COUNT(*) FROM entries")
    assert entries == 2 * INVOICES


def test_the_same_file_imported_twice_at_once_is_stored_once(postgres_url: str, tmp_path: Path) -> None:
    get_engine(postgres_url)
    same = invoices_file(tmp_path / "same.csv", "S")
    results = import_at_once(postgres_url, same, same)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-500:] for r in results]
    [(entries, keys)] = query(postgres_url, "SELECT COUNT(*), COUNT(DISTINCT key) FROM entries")
    assert entries == keys == INVOICES
    [(customers,)] = query(postgres_url, "SELECT COUNT(*) FROM customers")
    assert customers == CUSTOMERS
