"""Loading the penalty rate table: a CSV file users update, shipped with the package.

Resolution order: ``$ENCOURS_RATES_FILE``, then ``$ENCOURS_DATA_DIR/ecb_rates.csv``, then the
shipped ``encours/data/ecb_rates.csv``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

from encours.data_files import DataFile, user_or_shipped
from encours.domain.errors import LedgerError
from encours.domain.penalties import RATE_COLUMNS, RateTable, parse_rate_table

RATES_FILE_NAME = "ecb_rates.csv"


class LoadedRates(NamedTuple):
    source: str
    table: RateTable
    errors: tuple[LedgerError, ...]


def parse_rates_text(text: str, source: str) -> LoadedRates:
    """Comment lines (``#``) and blank lines are skipped; lines keep their physical numbers."""
    lines = text.splitlines()
    numbered = [
        (n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.startswith("#")
    ]
    if not numbered:
        return LoadedRates(source, RateTable({}), (LedgerError(source, 0, "", "empty rate file"),))
    header_line, header = numbered[0]
    names = [name.strip() for name in next(csv.reader([header]))]
    missing = [c for c in RATE_COLUMNS[:2] if c not in names]
    if missing:
        error = LedgerError(source, header_line, missing[0], f"missing column(s): {', '.join(missing)}")
        return LoadedRates(source, RateTable({}), (error,))
    rows = []
    for number, line in numbered[1:]:
        values = next(csv.reader(io.StringIO(line)))
        rows.append((number, dict(zip(names, values, strict=False))))
    table, errors = parse_rate_table(rows, source)
    return LoadedRates(source, table, tuple(errors))


def load_rate_table(rates_file: Path | None = None, data_dir: Path | None = None) -> LoadedRates:
    """``rates_file`` (``ENCOURS_RATES_FILE``), else the data directory's, else the shipped table."""
    found = user_or_shipped(RATES_FILE_NAME, data_dir)
    if rates_file is not None:
        found = DataFile(str(rates_file), rates_file, False)
    if found.shipped:
        return parse_rates_text(found.read_text(), found.source)
    try:
        text = found.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        error = LedgerError(found.source, 0, "", f"cannot read: {exc}")
        return LoadedRates(found.source, RateTable({}), (error,))
    return parse_rates_text(text, found.source)
