"""Every FEC variant of SPEC §3 gives the same entries, allocations and aged balance."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from tests.ingest.fec_files.synthetic import Style, base_lines, render

from encours.domain.aging import age_open_items
from encours.domain.open_items import open_items
from encours.domain.records import EntryKind
from encours.ingest import detect
from encours.ingest.fec import parse_fec
from encours.ingest.parsed import ParsedFile
from encours.ingest.registry import parser_for

AS_OF = (dt.date(2023, 2, 10), dt.date(2023, 3, 31), dt.date(2023, 12, 31))

VARIANTS: dict[str, Style] = {
    "pipe": Style(separator="|"),
    "semicolon": Style(separator=";"),
    "bom": Style(encoding="utf-8-sig"),
    "iso-8859-15": Style(encoding="iso-8859-15"),
    "crlf": Style(line_end="\r\n"),
    "cr": Style(line_end="\r"),
    "cr-cr-lf": Style(line_end="\r\r\n"),
    "fixed-width": Style(pad=True),
    "zero-padded": Style(zero_pad=13),
    "decimal-point": Style(decimal="."),
    "thousands-space": Style(thousands=" "),
    "thousands-nbsp": Style(thousands="\u00a0"),
    "thousands-dot": Style(thousands="."),
    "thousands-comma": Style(decimal=".", thousands=","),
    "blank-zero-side": Style(blank_zero=True),
    "trailing-separator": Style(trailing_separator=True),
    "trailing-separator-lines-only": Style(trailing_separator=True, header_trailing_separator=False),
    "montant-sens-dc": Style(montant_sens=("D", "C")),
    "montant-sens-signs": Style(montant_sens=("+", "-")),
    "montant-sens-words": Style(montant_sens=("Débit", "Crédit")),
    "montant-sens-lower": Style(montant_sens=("debit", "credit")),
    "header-upper": Style(header_names={n: n.upper() for n in ("JournalCode", "CompteNum", "Debit")}),
    "header-lower": Style(header_names={n: n.lower() for n in ("EcritureDate", "PieceRef", "Credit")}),
    "header-spelling": Style(
        header_names={
            "Montantdevise": "MontantDevise",
            "Idevise": "IDevise",
            "EcritureLet": "EcritureLettrage",
        }
    ),
    "header-accents-spaces": Style(
        header_names={
            "EcritureDate": "Écriture Date",
            "CompteNum": "Compte_Num",
            "Debit": "Débit",
            "Credit": "Crédit",
            "EcritureLib": " EcritureLib ",
        }
    ),
    "extra-columns": Style(extra_columns=True),
    "reordered-columns": Style(reverse_columns=True),
    "iso-dates": Style(date_format="%Y-%m-%d"),
    "french-dates": Style(date_format="%d/%m/%Y"),
    "blank-lines": Style(blank_lines=True),
    "quoted": Style(quote=True),
    "all-at-once": Style(
        separator="|",
        encoding="iso-8859-15",
        line_end="\r\r\n",
        pad=True,
        zero_pad=15,
        trailing_separator=True,
        montant_sens=("D", "C"),
        extra_columns=True,
        date_format="%d/%m/%Y",
        blank_lines=True,
    ),
}


def parse(data: bytes, name: str = "000000000FEC20231231.txt") -> ParsedFile:
    parsed = parse_fec(name, data, {}, customer_prefixes=("411",))
    assert parsed.errors == ()
    return parsed


def comparable(parsed: ParsedFile) -> tuple[object, ...]:
    """What the import stores, without the physical line numbers (blank lines move them)."""
    entries = sorted(entry._replace(source=entry.source._replace(line=0)) for entry in parsed.entries)
    return (sorted(parsed.customers), entries, sorted(parsed.allocations))


def aged(parsed: ParsedFile, as_of: dt.date) -> list[object]:
    names = {customer.customer_id: customer.name for customer in parsed.customers}
    items = open_items(parsed.entries, parsed.allocations, as_of)
    return [balance.to_json() for balance in age_open_items(items, as_of, names)]


@pytest.fixture(scope="module")
def baseline() -> ParsedFile:
    return parse(render(base_lines()))


def test_baseline_reads_the_ledger_as_written(baseline: ParsedFile) -> None:
    lines = base_lines()
    customer_lines = [line for line in lines if line.account.startswith("411")]
    non_zero = [line for line in customer_lines if line.debit != line.credit]
    assert len(baseline.entries) == len(non_zero) == len(customer_lines) - 1
    assert sum(e.amount for e in baseline.entries) == sum(x.debit - x.credit for x in customer_lines)
    assert {c.customer_id: c.name for c in baseline.customers} == {
        "CDUPONT": "Dupont SA",
        "CMARTIN": "Martin & Fils",
        "411200": "Client Écho",
    }
    kinds = Counter((e.reference, e.kind) for e in baseline.entries)
    assert kinds == {
        ("RAN", EntryKind.OTHER_DEBIT): 2,
        ("F001", EntryKind.INVOICE): 1,
        ("F002", EntryKind.INVOICE): 1,
        ("F003", EntryKind.INVOICE): 1,
        ("F004", EntryKind.INVOICE): 1,
        ("F005", EntryKind.INVOICE): 1,
        ("AV001", EntryKind.CREDIT_NOTE): 1,
        ("VIR0120", EntryKind.PAYMENT): 1,
        ("VIR0220", EntryKind.PAYMENT): 1,
        ("VIR0310", EntryKind.PAYMENT): 1,
        ("CHQ", EntryKind.PAYMENT): 2,
    }
    by_ref = {e.reference: e for e in baseline.entries}
    assert by_ref["F001"].date == dt.date(2023, 1, 9)  # PieceDate before EcritureDate
    assert by_ref["F001"].due_date == dt.date(2023, 2, 8)  # default 30 days
    assert by_ref["VIR0120"].date == by_ref["VIR0120"].due_date == dt.date(2023, 1, 20)  # no PieceDate
    assert all(e.key.startswith("fec:") for e in baseline.entries)
    assert len({e.key for e in baseline.entries}) == len(baseline.entries)  # the two cheques differ


def test_balanced_letter_groups_settle_from_the_later_date(baseline: ParsedFile) -> None:
    by_ref = {e.reference: e for e in baseline.entries}
    found = {(a.credit_key, a.debit_key, a.amount, a.date) for a in baseline.allocations}
    ran_dupont = next(e for e in baseline.entries if e.reference == "RAN" and e.customer_id == "CDUPONT")
    assert found == {
        (by_ref["VIR0120"].key, ran_dupont.key, Decimal("1500.00"), dt.date(2023, 1, 20)),
        (by_ref["VIR0220"].key, by_ref["F001"].key, Decimal("1200.00"), dt.date(2023, 2, 20)),
    }  # "ab" (2400 against 1000) does not balance: both stay open


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_reads_like_the_baseline(name: str, baseline: ParsedFile) -> None:
    data = render(base_lines(), VARIANTS[name])
    assert detect.detect_format(data) == detect.FEC
    parsed = parse(data)
    assert comparable(parsed) == comparable(baseline)
    for as_of in AS_OF:
        assert aged(parsed, as_of) == aged(baseline, as_of)


def test_registered_for_detected_format() -> None:
    parser = parser_for(detect.FEC)
    assert parser is not None
    assert parser("f.txt", render(base_lines()), {}).entries


def test_blank_lines_keep_physical_line_numbers() -> None:
    parsed = parse(render(base_lines(), Style(blank_lines=True, line_end="\r\r\n")))
    # line 1 is blank, the header is line 2, then each row is followed by a blank-ish line
    lines = [line for line in base_lines()]
    first_customer = next(i for i, line in enumerate(lines) if line.account.startswith("411"))
    assert min(e.source.line for e in parsed.entries) == 3 + 2 * first_customer


def test_keys_survive_a_later_export_that_adds_lines(baseline: ParsedFile) -> None:
    lines = base_lines()
    # a whole entry (its lines balance, SPEC §3) added in front: every line moves
    extra = [line._replace(number="12", date=dt.date(2023, 5, 2), piece="VIR0502") for line in lines[:3]]
    later = parse(render(extra + lines))  # added in front: every line moves
    assert {e.key for e in baseline.entries} < {e.key for e in later.entries}


def test_ecriture_num_zero_tells_entries_apart_by_piece_and_date() -> None:
    parsed = parse(render(base_lines(), Style(entry_number="0")))
    kinds = {(e.reference, e.kind) for e in parsed.entries}
    assert ("F001", EntryKind.INVOICE) in kinds
    assert ("AV001", EntryKind.CREDIT_NOTE) in kinds
    assert ("VIR0120", EntryKind.PAYMENT) in kinds
    assert ("RAN", EntryKind.OTHER_DEBIT) in kinds


def test_reused_entry_numbers_fall_back_to_piece_and_date() -> None:
    # numbering restarts: every bank entry is number 1 but on its own date
    lines = [line._replace(number="1") if line.journal == "BQ" else line for line in base_lines()]
    lines = [line._replace(number="2") if line.journal == "VE" else line for line in lines]
    parsed = parse(render(lines))
    assert Counter(e.kind for e in parsed.entries) == Counter(
        e.kind for e in parse(render(base_lines())).entries
    )
