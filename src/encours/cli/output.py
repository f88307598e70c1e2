"""Rendering results as table, JSON or CSV: deterministic bytes for the same data."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def print_json(payloads: Sequence[dict[str, Any]]) -> None:
    """One object when there is one, else a list (SPEC §4, several currencies)."""
    document: Any = payloads[0] if len(payloads) == 1 else list(payloads)
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def print_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def print_table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], footer: Sequence[Any] | None = None
) -> None:
    table = Table(title=title, show_footer=footer is not None)
    for index, name in enumerate(header):
        table.add_column(
            name,
            justify="left" if index < 2 else "right",
            footer="" if footer is None else str(footer[index]),
        )
    for row in rows:
        table.add_row(*map(str, row))
    Console(width=200).print(table)
