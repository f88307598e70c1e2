"""Aged balance exports open right in the user's spreadsheet: French Excel needs `;`, a decimal
comma and a BOM; the workbook has a frozen, filterable header and readable widths."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook  # type: ignore[import-untyped]
from tests.conftest import DEMO_UNTIL

from encours.domain.aging import AgedBalance, AgedRow, buckets_from_bounds
from encours.web.ui.exports import aging_csv, aging_xlsx


def balance() -> AgedBalance:
    buckets = buckets_from_bounds()
    amounts = (Decimal("1234.56"), Decimal("-7.50"), *(Decimal(0) for _ in buckets[2:]))
    rows = (
        AgedRow("C1", "Électricité du Sud", amounts),
        AgedRow("C2", "Acme; Ltd", tuple(Decimal(0) for _ in buckets)),
    )
    return AgedBalance(DEMO_UNTIL, "EUR", buckets, rows)


def test_french_csv_splits_in_french_excel() -> None:
    body = aging_csv([balance()], "fr")
    assert body.startswith("\ufeff".encode())  # without it Excel shows "Ã‰lectricitÃ©"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:5] == ["Code client", "Raison sociale", "Devise", "Total", "Non échu"]
    assert rows[1][:6] == ["C1", "Électricité du Sud", "EUR", "1227,06", "1234,56", "-7,50"]
    assert rows[2][1] == "Acme; Ltd"  # a `;` inside a name is quoted, not a new column


def test_english_csv_keeps_the_cli_columns() -> None:
    rows = list(csv.reader(io.StringIO(aging_csv([balance()], "en").decode("utf-8-sig"), newline="")))
    assert rows[0][:5] == ["Customer id", "Name", "Currency", "Total", "Not due"]
    assert rows[1][3:6] == ["1227.06", "1234.56", "-7.50"]


def test_workbook_has_frozen_filtered_header_and_widths() -> None:
    sheet = load_workbook(io.BytesIO(aging_xlsx([balance()], "fr"))).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].value == "Code client" and sheet["E1"].value == "Non échu"
    assert sheet.column_dimensions["B"].width >= len("Électricité du Sud")
    assert sheet["D2"].value == 1227.06 and sheet["D2"].number_format == "#,##0.00"
