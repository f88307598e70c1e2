"""Aged balance exports: CSV (the columns of `encours aging --format csv`) and Excel.

The CSV is written for the spreadsheet of the user's language: French Excel splits on ``;``
and reads ``1234,56`` as a number, English Excel wants ``,`` and ``1234.56``; both get a BOM,
without which Excel reads UTF-8 names ("Électricité") as mojibake. Headers are in the user's
language. Text that a spreadsheet would run as a formula is neutralised
(``domain.spreadsheet``): a leading ``'`` in CSV; in Excel, a string cell with the quote
prefix, never a formula. The workbook opens ready to use: frozen header, filters, widths.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fastapi import Response
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from encours.domain.aging import AgedBalance
from encours.domain.money import format_amount
from encours.domain.spreadsheet import csv_cell, runs_as_formula
from encours.web.ui.i18n import text

BOM = "\ufeff"
COLUMNS = ("customer_id", "name", "currency", "total")


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes, media_type: str, filename: str) -> Response:
    """A file the browser saves under ``filename`` rather than shows."""
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _header(balances: Sequence[AgedBalance], language: str) -> list[str]:
    labels = [b.label for b in balances[0].buckets] if balances else []
    return [text(f"export_{column}", language) for column in COLUMNS] + [
        text(label, language) for label in labels
    ]


def aging_csv(balances: Sequence[AgedBalance], language: str) -> bytes:
    french = language == "fr"
    out = io.StringIO()
    out.write(BOM)
    # RFC 4180: a CR inside a cell is quoted too
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    writer.writerow(_header(balances, language))

    def amount(value: Decimal) -> str:
        written = format_amount(value)
        return written.replace(".", ",") if french else written

    for balance in balances:
        for row in balance.rows:
            writer.writerow(
                [
                    *map(csv_cell, (row.customer_id, row.name, balance.currency)),
                    amount(row.total),
                    *map(amount, row.amounts),
                ]
            )
    return out.getvalue().encode()


def aging_xlsx(balances: Sequence[AgedBalance], language: str) -> bytes:
    """Amounts as numbers with two decimals (exact to the cent), one sheet per currency."""
    book = Workbook()
    book.remove(book.active)
    for balance in balances:
        sheet = book.create_sheet(f"{balance.as_of.isoformat()} {balance.currency}")
        sheet.append(_header([balance], language))
        for row in balance.rows:
            sheet.append([row.customer_id, row.name, balance.currency, row.total, *row.amounts])
        sheet.append([text("total", language).upper(), "", balance.currency, balance.total, *balance.totals])
        for column in sheet.iter_cols(max_col=3):
            for cell in column:
                _text(cell)
        for column in sheet.iter_cols(min_col=4):
            for cell in column:
                cell.number_format = "#,##0.00"
        _ready_to_use(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(cell: Any) -> None:
    """openpyxl stores a string starting with ``=`` as a formula: keep it a string, quoted."""
    if isinstance(cell.value, str) and runs_as_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True  # Excel shows it as text, and keeps it text when edited


def _ready_to_use(sheet: Any) -> None:
    """Header frozen and filterable, columns wide enough for their longest value."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        widest = max(
            (len(f"{value:,.2f}" if isinstance(value, Decimal) else str(value or "")) for value in column),
            default=8,
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)


def _shown_length(value: object) -> int:
    return len(f"{value:,.2f}" if isinstance(value, Decimal | float) else str(value or ""))
