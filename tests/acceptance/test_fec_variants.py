"""FEC files of the SPEC §3 variants, written here, all give the same aged balance, computed by
hand: opening entries (AN), balanced and unbalanced lettering, credit notes, unapplied payments,
customers without an auxiliary account, a document after the date."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.acceptance.cli import encours, sqlite_db

HEADER = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
C1, C2 = ("CLI01", "Dupont & Fils"), ("CLI02", "Société Générale Ébène")
# journal, number, date, account, its label, (aux, aux label), piece, piece date, label, debit, credit, letter
LINES = [
    ("AN", "1", "20240101", "411000", "Clients", C1, "AN1", "", "A nouveau", "1500.00", "0.00", ""),
    ("AN", "1", "20240101", "890000", "Bilan", ("", ""), "AN1", "", "A nouveau", "0.00", "1500.00", ""),
    ("VT", "2", "20240115", "411000", "Clients", C1, "FA1", "20240110", "FA1", "1200.00", "0.00", "A"),
    ("VT", "2", "20240115", "706000", "Ventes", ("", ""), "FA1", "20240110", "FA1", "0.00", "1000.00", ""),
    ("VT", "2", "20240115", "445710", "TVA", ("", ""), "FA1", "20240110", "FA1", "0.00", "200.00", ""),
    ("BQ", "3", "20240220", "512000", "Banque", ("", ""), "VIR1", "", "Règlement", "1200.00", "0.00", ""),
    ("BQ", "3", "20240220", "411000", "Clients", C1, "VIR1", "", "Règlement", "0.00", "1200.00", "A"),
    ("VT", "4", "20240201", "411000", "Clients", C2, "FA2", "", "FA2", "600.00", "0.00", "B"),
    ("VT", "4", "20240201", "706000", "Ventes", ("", ""), "FA2", "", "FA2", "0.00", "600.00", ""),
    ("BQ", "5", "20240305", "411000", "Clients", C2, "VIR2", "", "Acompte €", "0.00", "400.00", "B"),
    ("BQ", "5", "20240305", "512000", "Banque", ("", ""), "VIR2", "", "Acompte €", "400.00", "0.00", ""),
    ("VT", "6", "20240320", "706000", "Ventes", ("", ""), "AV1", "", "Avoir", "100.00", "0.00", ""),
    ("VT", "6", "20240320", "411000", "Clients", C2, "AV1", "", "Avoir", "0.00", "100.00", ""),
    ("VT", "7", "20240325", "411003", "Client Trois", ("", ""), "FA3", "", "FA3", "250.00", "0.00", ""),
    ("VT", "7", "20240325", "706000", "Ventes", ("", ""), "FA3", "", "FA3", "0.00", "250.00", ""),
    ("BQ", "8", "20240330", "411003", "Client Trois", ("", ""), "CHQ9", "", "Chèque", "0.00", "50.00", ""),
    ("BQ", "8", "20240330", "512000", "Banque", ("", ""), "CHQ9", "", "Chèque", "50.00", "0.00", ""),
    ("VT", "9", "20240326", "411000", "Clients divers", ("CLI04", ""), "FA4", "", "FA4", "80.00", "0.00", ""),
    ("VT", "9", "20240326", "706000", "Ventes", ("", ""), "FA4", "", "FA4", "0.00", "80.00", ""),
    ("VT", "10", "20240402", "411000", "Clients", C1, "FA9", "", "FA9", "999.00", "0.00", ""),
    ("VT", "10", "20240402", "706000", "Ventes", ("", ""), "FA9", "", "FA9", "0.00", "999.00", ""),
]
# by hand at 2024-03-31 (net 30): AN 1500 due 01-31 (60 days: 31-60); FA1 settled by lettering A;
# group B unbalanced: FA2 600 due 03-02 (29 days) and -400 on 03-05 (26 days) stay open, with the
# credit note -100 on 03-20 (11 days); 411003: FA3 250 not due, cheque -50 on 03-30 (1 day);
# CLI04 has no CompAuxLib: named after CompteLib; FA9 is after the date.
EXPECTED = [
    "customer_id,name,currency,total,not_due,1-30,31-60,61-90,91+",
    "411003,Client Trois,EUR,200.00,250.00,-50.00,0.00,0.00,0.00",
    "CLI01,Dupont & Fils,EUR,1500.00,0.00,0.00,1500.00,0.00,0.00",
    "CLI02,Société Générale Ébène,EUR,100.00,0.00,100.00,0.00,0.00,0.00",
    "CLI04,Clients divers,EUR,80.00,80.00,0.00,0.00,0.00,0.00",
]


def rows(decimal_comma: bool = True, zero_pad: bool = False) -> list[list[str]]:
    result = []
    for journal, number, day, account, label, (
        aux,
        aux_label,
    ), piece, piece_day, text, debit, credit, letter in LINES:

        def amount(value: str) -> str:
            value = value.replace(".", ",") if decimal_comma else value
            return value.rjust(13, "0") if zero_pad else value

        result.append(
            [journal, f"Journal {journal}", number, day, account, label, aux, aux_label, piece, piece_day,
             text, amount(debit), amount(credit), letter, "20240331" if letter else "", day, "", ""]
        )  # fmt: skip
    return result


def tab_crlf() -> bytes:
    return "\r\n".join("\t".join(r) for r in [HEADER, *rows()]).encode() + b"\r\n"


def pipe_latin9_trailing() -> bytes:
    return "".join("|".join(r) + "|\n" for r in [HEADER, *rows()]).encode("iso-8859-15")


def montant_sens() -> bytes:
    header = [*HEADER[:11], "Montant", "Sens", *HEADER[13:]]
    lines = [header]
    for r in rows():
        debit = r[11].replace(",", "").strip("0")
        lines.append([*r[:11], r[11], "D", *r[13:]] if debit else [*r[:11], r[12], "C", *r[13:]])
    return "\n".join("\t".join(r) for r in lines).encode() + b"\n"


def fixed_width() -> bytes:
    widths = [12, 12, 8, 12, 10, 16, 8, 26, 8, 10, 12, 15, 15, 12, 10, 10, 14, 8]
    lines = [[v.ljust(w) for v, w in zip(r, widths, strict=True)] for r in [HEADER, *rows(zero_pad=True)]]
    return "\n".join("\t".join(r) for r in lines).encode() + b"\n"


def cr_bom_blank_lines() -> bytes:
    lines = ["\t".join(r) for r in [HEADER, *rows()]]
    return ("\ufeff" + "\r".join(lines[:5]) + "\r\r" + "\r".join(lines[5:]) + "\r\r").encode()


def extra_columns_iso_dates() -> bytes:
    header = [*HEADER[:16], "MontantDevise", "Idevise", "DateRglt", "ModeRglt", "NatOp", "IdClient"]
    lines = [header]
    for r in rows(decimal_comma=False):
        r[3] = f"{r[3][:4]}-{r[3][4:6]}-{r[3][6:]}"
        lines.append([*r, "", "VIR", "", r[6]])
    return "\n".join("\t".join(r) for r in lines).encode() + b"\n"


VARIANTS = [
    tab_crlf,
    pipe_latin9_trailing,
    montant_sens,
    fixed_width,
    cr_bom_blank_lines,
    extra_columns_iso_dates,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
def test_fec_variant_gives_the_hand_computed_aged_balance(tmp_path: Path, variant: object) -> None:
    assert callable(variant)
    (tmp_path / "FEC.txt").write_bytes(variant())
    db = sqlite_db(tmp_path)
    imported = encours("import", "FEC.txt", "--db", db, cwd=tmp_path)
    assert imported.code == 0, imported.stderr
    aging = encours("aging", "--as-of", "2024-03-31", "--format", "csv", "--db", db, cwd=tmp_path)
    assert aging.stdout.splitlines() == EXPECTED
