"""The invoice rows of a letter's table, read back from the PDF's text.

A row spans several text lines: the invoice number, its RF creditor reference under it, and
a long list of rates wrapping; everything up to the next invoice number (or the total) is the
row's.
"""

from __future__ import annotations

import re


def invoice_rows(text: str, number: str = r"[A-Z]+\d+") -> dict[str, str]:
    rows: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if re.match(rf"(?:{number})(?:\s|$)", line):
            current = line.split()[0]
            rows[current] = line
        elif current and not line.startswith(("Total", "TOTAL")):
            rows[current] += " " + line
        else:
            current = None
    return rows
