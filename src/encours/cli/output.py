"""Rendering results as table, JSON or CSV: deterministic bytes for the same data."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from encours.domain.money import format_amount
from encours.domain.spreadsheet import csv_cell

RICH_TABLE_MAX_ROWS = 2000  # Rich measures every cell: past this, a plain table prints at once


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def print_json(payloads: Sequence[dict[str, Any]], rows: int = 0) -> None:
    """One object when there is one, else a list (SPEC §4, several currencies)."""
    print_document(payloads[0] if len(payloads) == 1 else list(payloads), compact=rows > RICH_TABLE_MAX_ROWS)


def print_document(document: Any, compact: bool = False) -> None:
    """UTF-8 JSON; amounts as two-decimal strings, dates and times in ISO 8601.

    Indented for people; ``compact`` (one line) for big documents, which json writes with
    its C encoder only when there is no indentation.
    """
    indent = None if compact else 2
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent, default=_json_value) + "\n")


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def print_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)  # no live formulas


def print_table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], footer: Sequence[Any] | None = None
) -> None:
    if len(rows) > RICH_TABLE_MAX_ROWS:
        print_plain_table(title, header, rows, footer)
        return
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


def print_plain_table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], footer: Sequence[Any] | None = None
) -> None:
    """Fixed-width columns, first two left-aligned like the Rich table, in one pass per column."""
    lines = [list(map(str, header)), *([list(map(str, row)) for row in rows])]
    if footer is not None:
        lines.append(list(map(str, footer)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def render(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    out = [title, render(lines[0]), rule, *map(render, lines[1 : len(rows) + 1])]
    if footer is not None:
        out += [rule, render(lines[-1])]
    sys.stdout.write("\n".join(out) + "\n")
