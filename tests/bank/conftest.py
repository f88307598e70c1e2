"""What the bank-journal tests share: the public statement samples, read in place, and small
statements written from their figures."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLES, query

# one account's camt.053: CH1111000000123456789 on 2017-03-22, 75960.15 + 2187.00 + 1296.00 = 79443.15
CAMT053 = SAMPLES / "camt053/oca-test-camt053-txdtls.xml"
CAMT054 = SAMPLES / "camt054/oca-test-camt054.xml"
STATEMENTS = sorted(
    path
    for folder in ("camt053", "camt054", "ofx", "cfonb120", "mt940")
    for path in (SAMPLES / folder).iterdir()
    if path.suffix != ".md"
)


def mt940(account: str, opening: str, lines: list[tuple[str, str, str]], closing: str) -> str:
    """An MT940 statement: ``lines`` are (YYMMDD booking date, signed amount, :86: text)."""

    def amount(text: str) -> str:
        return text.lstrip("-").replace(".", ",")

    def mark(text: str) -> str:
        return "D" if text.startswith("-") else "C"

    day = lines[0][0] if lines else "170322"
    body = [":20:STMT0001", f":25:{account}", ":28C:1/1", f":60F:{mark(opening)}{day}CHF{amount(opening)}"]
    for booked, value, text in lines:
        body += [f":61:{booked}{booked[2:]}{mark(value)}{amount(value)}NTRFNONREF", f":86:{text}"]
    body += [f":62F:{mark(closing)}{day}CHF{amount(closing)}", "-"]
    return "\n".join(body) + "\n"


def camt053_as_mt940() -> str:
    """The camt.053 sample's statement as the same bank would send it in MT940."""
    lines = [
        ("170322", "2187.00", "Banque Cantonale Vaudoise"),
        ("170322", "1296.00", "Banque Cantonale Vaudoise"),
    ]
    return mt940("CH1111000000123456789", "75960.15", lines, "79443.15")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="latin-1")
    else:
        path.write_bytes(content)
    return path


def count(url: str, table: str) -> int:
    [(found,)] = query(url, f"SELECT COUNT(*) FROM {table}")
    return int(found)
