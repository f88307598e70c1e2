"""A small FEC ledger written in any of the variants real exports use.

The ledger (its aged balance is worked out by hand in test_fec_cli.py):
- Dupont (aux CDUPONT): opening balance 1500 settled on 2023-01-20 (letter AA), invoice F001
  1200 (piece date 2023-01-09) settled on 2023-02-20 (AB), invoice F004 3456.78 on 2023-03-28
  and a zero line beside it.
- Martin (aux CMARTIN): opening balance 200 unlettered, invoice F002 2400 on 2023-02-15 with a
  partial payment of 1000 on 2023-03-10 (letter "ab", does not balance), credit note AV001 of
  120 on 2023-03-05, invoice F005 600 on 2023-04-05.
- Écho (411200, no auxiliary account): invoice F003 360 on 2023-03-20, two identical unapplied
  payments of 50 on 2023-03-25.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

HEADER = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
EXTRA = ("DateRglt", "ModeRglt", "NatOp", "IdClient")


class FecLine(NamedTuple):
    journal: str
    journal_lib: str
    number: str
    date: dt.date
    account: str
    account_lib: str
    aux: str
    aux_lib: str
    piece: str
    piece_date: dt.date | None
    label: str
    debit: Decimal
    credit: Decimal
    letter: str = ""


def _entry(
    journal: str, number: int, day: str, piece: str, piece_day: str | None, label: str,
    legs: Sequence[tuple[str, str, str, str, str, str, str]],
) -> list[FecLine]:  # fmt: skip
    """One accounting entry; each leg is (account, account label, aux, aux label, debit, credit, letter)."""
    libs = {"AN": "A nouveaux", "VE": "Ventes", "BQ": "Banque"}
    date = dt.date.fromisoformat(day)
    piece_date = dt.date.fromisoformat(piece_day) if piece_day else None
    return [
        FecLine(
            journal,
            libs[journal],
            str(number),
            date,
            account,
            account_lib,
            aux,
            aux_lib,
            piece,
            piece_date,
            label,
            Decimal(debit),
            Decimal(credit),
            letter,
        )
        for account, account_lib, aux, aux_lib, debit, credit, letter in legs
    ]


CLIENTS = ("411000", "Clients")
DUPONT = ("CDUPONT", "Dupont SA")
MARTIN = ("CMARTIN", "Martin & Fils")
ECHO = ("411200", "Client Écho", "", "")
SALES = ("706000", "Prestations de services", "", "")
VAT = ("445710", "TVA collectée", "", "")
BANK = ("512000", "Banque", "", "")


def base_lines() -> list[FecLine]:
    lines: list[FecLine] = []
    lines += _entry("AN", 1, "2023-01-01", "RAN", None, "Report à nouveau", [
        (*CLIENTS, *DUPONT, "1500.00", "0.00", "AA"),
        (*CLIENTS, *MARTIN, "200.00", "0.00", ""),
        ("890000", "Bilan d'ouverture", "", "", "0.00", "1700.00", ""),
    ])  # fmt: skip
    lines += _entry("VE", 2, "2023-01-10", "F001", "2023-01-09", "Facture F001 Dupont", [
        (*CLIENTS, *DUPONT, "1200.00", "0.00", "AB"),
        (*SALES, "0.00", "1000.00", ""),
        (*VAT, "0.00", "200.00", ""),
    ])  # fmt: skip
    lines += _entry("VE", 3, "2023-02-15", "F002", "2023-02-15", "Facture F002 Martin", [
        (*CLIENTS, *MARTIN, "2400.00", "0.00", "ab"),
        (*SALES, "0.00", "2000.00", ""),
        (*VAT, "0.00", "400.00", ""),
    ])  # fmt: skip
    lines += _entry("BQ", 4, "2023-01-20", "VIR0120", None, "Virement Dupont", [
        (*CLIENTS, *DUPONT, "0.00", "1500.00", "AA"),
        (*BANK, "1500.00", "0.00", ""),
    ])  # fmt: skip
    lines += _entry("BQ", 5, "2023-02-20", "VIR0220", None, "Virement Dupont F001", [
        (*CLIENTS, *DUPONT, "0.00", "1200.00", "AB"),
        (*BANK, "1200.00", "0.00", ""),
    ])  # fmt: skip
    lines += _entry("BQ", 6, "2023-03-10", "VIR0310", None, "Acompte Martin 1000 €", [
        (*CLIENTS, *MARTIN, "0.00", "1000.00", "ab"),
        (*BANK, "1000.00", "0.00", ""),
    ])  # fmt: skip
    lines += _entry("VE", 7, "2023-03-05", "AV001", "2023-03-05", "Avoir AV001 Martin", [
        (*CLIENTS, *MARTIN, "0.00", "120.00", ""),
        ("709000", "Rabais remises ristournes", "", "", "100.00", "0.00", ""),
        (*VAT, "20.00", "0.00", ""),
    ])  # fmt: skip
    lines += _entry("VE", 8, "2023-03-20", "F003", "2023-03-20", "Facture F003 Écho", [
        (*ECHO, "360.00", "0.00", ""),
        (*SALES, "0.00", "300.00", ""),
        (*VAT, "0.00", "60.00", ""),
    ])  # fmt: skip
    lines += _entry("BQ", 9, "2023-03-25", "CHQ", None, "Chèque Écho", [
        (*ECHO, "0.00", "50.00", ""),
        (*ECHO, "0.00", "50.00", ""),
        (*BANK, "100.00", "0.00", ""),
    ])  # fmt: skip
    lines += _entry("VE", 10, "2023-03-28", "F004", "2023-03-28", "Facture F004 Dupont", [
        (*CLIENTS, *DUPONT, "3456.78", "0.00", ""),
        (*CLIENTS, *DUPONT, "0.00", "0.00", ""),
        (*SALES, "0.00", "2880.65", ""),
        (*VAT, "0.00", "576.13", ""),
    ])  # fmt: skip
    lines += _entry("VE", 11, "2023-04-05", "F005", "2023-04-05", "Facture F005 Martin", [
        (*CLIENTS, *MARTIN, "600.00", "0.00", ""),
        (*SALES, "0.00", "500.00", ""),
        (*VAT, "0.00", "100.00", ""),
    ])  # fmt: skip
    return lines


class Style(NamedTuple):
    """How one export writes the same ledger."""

    separator: str = "\t"
    encoding: str = "utf-8"
    line_end: str = "\n"
    date_format: str = "%Y%m%d"
    decimal: str = ","
    thousands: str = ""
    zero_pad: int = 0  # total width of zero-padded amounts
    blank_zero: bool = False  # an empty field instead of 0,00
    pad: bool = False  # fixed-width fields padded with spaces
    quote: bool = False
    trailing_separator: bool = False
    header_trailing_separator: bool = True  # with trailing_separator
    montant_sens: tuple[str, str] | None = None  # the words for debit and credit
    header_names: dict[str, str] | None = None  # renamed columns
    extra_columns: bool = False
    reverse_columns: bool = False
    blank_lines: bool = False
    entry_number: str | None = None  # write this instead of every EcritureNum


def amount_text(value: Decimal, style: Style) -> str:
    if value == 0 and style.blank_zero:
        return ""
    whole, cents = f"{value:.2f}".split(".")
    if style.thousands:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = style.thousands.join([whole, *groups])
    text = f"{whole}{style.decimal}{cents}"
    return text.rjust(style.zero_pad, "0") if style.zero_pad else text


def _date(value: dt.date | None, style: Style) -> str:
    return value.strftime(style.date_format) if value else ""


def _row(line: FecLine, style: Style) -> list[str]:
    if style.montant_sens:
        debit_word, credit_word = style.montant_sens
        amount = line.debit or line.credit
        money = [amount_text(amount, style), debit_word if line.debit else credit_word]
    else:
        money = [amount_text(line.debit, style), amount_text(line.credit, style)]
    number = style.entry_number if style.entry_number is not None else line.number
    row = [
        line.journal, line.journal_lib, number, _date(line.date, style), line.account,
        line.account_lib, line.aux, line.aux_lib, line.piece, _date(line.piece_date, style),
        line.label, *money, line.letter, "", _date(line.date, style), "", "",
    ]  # fmt: skip
    if style.extra_columns:
        row += [_date(line.date, style), "VIR", "", line.aux]
    return row


def render(lines: Sequence[FecLine], style: Style | None = None) -> bytes:
    style = style or Style()
    header = list(HEADER)
    if style.montant_sens:
        header[11:13] = ["Montant", "Sens"]
    if style.header_names:
        header = [style.header_names.get(name, name) for name in header]
    if style.extra_columns:
        header += EXTRA
    rows = [_row(line, style) for line in lines]
    table: list[list[Any]] = [header, *rows]
    if style.reverse_columns:
        table = [list(reversed(row)) for row in table]
    if style.pad:
        widths = [max(len(str(row[i])) for row in table) + 2 for i in range(len(header))]
        table = [[str(v).ljust(w) for v, w in zip(row, widths, strict=True)] for row in table]
    if style.quote:
        table = [[f'"{v}"' for v in row] for row in table]
    texts = [style.separator.join(row) for row in table]
    if style.trailing_separator:
        start = 0 if style.header_trailing_separator else 1
        texts = texts[:start] + [text + style.separator for text in texts[start:]]
    if style.blank_lines:  # before the header, and blank or separator-only lines between rows
        spaced = ["", texts[0]]
        for index, text in enumerate(texts[1:]):
            spaced += [text, "  " if index % 2 else style.separator * 3]
        texts = spaced
    return (style.line_end.join(texts) + style.line_end).encode(style.encoding)
