"""Loading the penalty rate table: a CSV file users update, shipped with the package.

Resolution order: ``$ENCOURS_RATES_FILE``, then ``$ENCOURS_DATA_DIR/ecb_rates.csv``, then the
shipped ``encours/data/ecb_rates.csv``.
"""

from __future__ import annotations

import csv
import io
import os
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from encours.domain.errors import LedgerError
from encours.domain.penalties import RATE_COLUMNS, RateTable, parse_rate_table
from encours.settings import data_dir

RATES_FILE_NAME = "ecb_rates.csv"


class LoadedRates(NamedTuple):
    source: str
    table: RateTable
    errors: tuple[LedgerError, ...]


def rates_path() -> Path | None:
    """The user's rate file, or None for the shipped one."""
    explicit = os.environ.get("ENCOURS_RATES_FILE")
    if explicit:
        return Path(explicit)
    candidate = data_dir() / RATES_FILE_NAME
    return candidate if candidate.is_file() else None


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


def load_rate_table() -> LoadedRates:
    path = rates_path()
    if path is None:
        text = resources.files("encours.data").joinpath(RATES_FILE_NAME).read_text(encoding="utf-8")
        return parse_rates_text(text, f"encours/data/{RATES_FILE_NAME}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return LoadedRates(str(path), RateTable({}), (LedgerError(str(path), 0, "", f"cannot read: {exc}"),))
    return parse_rates_text(text, str(path))
