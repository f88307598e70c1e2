"""Aged balance exports: CSV (same columns as `encours aging --format csv`) and Excel.

Text that a spreadsheet would run as a formula is neutralised (``domain.spreadsheet``):
a leading ``'`` in CSV; in Excel, a string cell with the quote prefix, never a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

from encours.domain.aging import AgedBalance
from encours.domain.money import format_amount
from encours.domain.spreadsheet import csv_cell, runs_as_formula


def _header(balances: Sequence[AgedBalance]) -> list[str]:
    labels = [b.label for b in balances[0].buckets] if balances else []
    return ["customer_id", "name", "currency", "total", *labels]


def aging_csv(balances: Sequence[AgedBalance]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: a CR inside a cell is quoted too
    writer.writerow(_header(balances))
    for balance in balances:
        for row in balance.rows:
            writer.writerow(
                [
                    *map(csv_cell, (row.customer_id, row.name, balance.currency)),
                    format_amount(row.total),
                    *map(format_amount, row.amounts),
                ]
            )
    return out.getvalue().encode()


def aging_xlsx(balances: Sequence[AgedBalance]) -> bytes:
    """Amounts as numbers with two decimals (exact to the cent), one sheet per currency."""
    book = Workbook()
    book.remove(book.active)
    for balance in balances:
        sheet = book.create_sheet(f"{balance.as_of.isoformat()} {balance.currency}")
        sheet.append(_header([balance]))
        for row in balance.rows:
            sheet.append([row.customer_id, row.name, balance.currency, row.total, *row.amounts])
        sheet.append(["TOTAL", "", balance.currency, balance.total, *balance.totals])
        for column in sheet.iter_cols(max_col=3):
            for cell in column:
                _text(cell)
        for column in sheet.iter_cols(min_col=4):
            for cell in column:
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(cell: Any) -> None:
    """openpyxl stores a string starting with ``=`` as a formula: keep it a string, quoted."""
    if isinstance(cell.value, str) and runs_as_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True  # Excel shows it as text, and keeps it text when edited
