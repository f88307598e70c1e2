"""Cells a spreadsheet would run as formulas (CSV and XLSX exports), made plain text.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and strip a leading tab or carriage return first): a customer named
``=HYPERLINK("http://x","y")`` would become a live link in the credit manager's workbook.
A negative amount stays a number: ``-1234.56`` runs nothing (``+1`` is neutralised: Encours
never writes an amount with a plus sign).
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?\Z")


def runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) and NUMBER.match(text) is None


def csv_cell(value: object) -> object:
    """A CSV cell's value: text that would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value
    return value
