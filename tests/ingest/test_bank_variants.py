"""Variants real exports show: trimmed or glued CFONB records, camt without namespace, CRLF."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from tests.conftest import SAMPLES

from encours.domain.bank import TransactionKind
from encours.ingest import detect
from encours.ingest.bank import BANK_PARSERS
from encours.ingest.bank.records import BankFile, BankLine
from encours.ingest.textfile import physical_lines

PENNYLANE = SAMPLES / "cfonb120/pennylane-example.txt"
CAMT = SAMPLES / "camt053/oca-test-camt053.xml"


def read(format_name: str, data: bytes) -> BankFile:
    assert detect.detect_format(data) == format_name
    parsed = BANK_PARSERS[format_name]("f", data)
    assert parsed.errors == ()
    return parsed


def lines_of(parsed: BankFile) -> list[BankLine]:
    return [line for statement in parsed.statements for line in statement.lines]


def parse(format_name: str, data: bytes) -> list[tuple[str, Decimal]]:
    """(booking date, amount) of the credits: money in, whoever's it is."""
    return [(e.booking_date.isoformat(), e.amount) for e in lines_of(read(format_name, data)) if e.amount > 0]


def records() -> list[str]:
    text = PENNYLANE.read_text(encoding="latin-1")
    return [line.text for line in physical_lines(text) if line.text.strip()]


def cfonb_lines(data: bytes) -> list[tuple[str, Decimal]]:
    return [(e.booking_date.isoformat(), e.amount) for e in lines_of(read(detect.CFONB120, data))]


def test_cfonb_with_trailing_spaces_trimmed() -> None:
    data = "\r\n".join(record.rstrip() for record in records()).encode("latin-1")
    expected = cfonb_lines(PENNYLANE.read_bytes())
    assert len(expected) == 6 and ("2019-05-17", Decimal("97.49")) in expected
    assert cfonb_lines(data) == expected


def test_cfonb_records_glued_on_one_line() -> None:
    data = "".join(records()).encode("latin-1")
    assert cfonb_lines(data) == cfonb_lines(PENNYLANE.read_bytes())


def test_camt_without_namespace_and_with_a_prefix() -> None:
    content = CAMT.read_text(encoding="utf-8")
    bare = content.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"', "")
    assert parse(detect.CAMT053, bare.encode()) == [("2014-01-05", Decimal("1405.31"))]
    prefixed = re.sub(r"<(/?)(?=[A-Za-z])", r"<\1c:", content).replace("xmlns=", "xmlns:c=")
    assert parse(detect.CAMT053, prefixed.encode()) == [("2014-01-05", Decimal("1405.31"))]


def test_mt940_with_crlf_line_ends_keeps_its_receipts() -> None:
    sample = SAMPLES / "mt940/betterplace-sepa_snippet.sta"
    data = sample.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    found = parse(detect.MT940, data)
    assert len(found) == 8 and sum(amount for _, amount in found) == Decimal("1430745.72")


def test_sgml_ofx_without_closing_tags_in_latin1() -> None:
    sample = SAMPLES / "ofx/ofxparse-checking.ofx"
    data = sample.read_bytes().replace(
        b"DIVIDEND EARNED FOR PERIOD OF 03/01", "Réf FACT-2011-17".encode("cp1252")
    )
    [credit, *_] = lines_of(read(detect.OFX, data))
    assert "Réf FACT-2011-17" in credit.remittance and credit.amount == Decimal("0.01")
    assert credit.kind is TransactionKind.INTEREST  # its name still says "DIVIDEND EARNED"


def test_mt940_inside_swift_envelopes() -> None:
    """Each statement wrapped in {1:}{2:}{4: ... -} blocks, as SWIFT delivers them."""
    text = (SAMPLES / "mt940/betterplace-sepa_snippet.sta").read_text(encoding="latin-1")
    statements = [block.strip("-\n") for block in text.split("\n-\n") if block.strip("-\n")]
    header = "{1:F01DRESDEFF508A0000000000}{2:O9400000000000DRESDEFF508A00000000000000000000N}{4:\n"
    data = "".join(f"{header}{statement}\n-}}\n" for statement in statements).encode("latin-1")
    found = parse(detect.MT940, data)
    assert len(found) == 8 and sum(amount for _, amount in found) == Decimal("1430745.72")


CAMT054 = SAMPLES / "camt054/oca-test-camt054.xml"
_STATUS = "<Sts>BOOK</Sts>"


@pytest.mark.parametrize(
    "old,new,kinds",
    [
        (_STATUS, _STATUS, [TransactionKind.CUSTOMER_CREDIT]),
        (_STATUS, "<Sts>PDNG</Sts>", []),  # pending: not on the account yet
        (_STATUS, "<Sts><Cd>BOOK</Cd></Sts>", [TransactionKind.CUSTOMER_CREDIT]),  # camt.053.001.08 on
        ("<RvslInd>false</RvslInd>", "<RvslInd>true</RvslInd>", [TransactionKind.REFUND]),  # undoes a debit
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>\n        <RvslInd>",
            "<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>",
            [TransactionKind.DEBIT],
        ),
    ],
)
def test_booked_entries_are_lines_and_only_plain_credits_are_receipts(
    old: str, new: str, kinds: list[TransactionKind]
) -> None:
    content = CAMT054.read_text(encoding="utf-8")
    assert old in content
    assert [
        line.kind for line in lines_of(read(detect.CAMT054, content.replace(old, new, 1).encode()))
    ] == kinds


def test_cfonb_payer_name_from_its_complement_record() -> None:
    lines = records()
    credit = next(i for i, line in enumerate(lines) if line.startswith("04") and line[103] == "I")
    payer = lines[credit][:45].replace("04", "05", 1) + "NPY" + "GROUPAMA CENTRE MANCHE".ljust(72)
    data = "\n".join([*lines[: credit + 1], payer, *lines[credit + 1 :]]).encode("latin-1")
    found = [line for line in lines_of(read(detect.CFONB120, data)) if line.amount > 0]
    assert [(line.payer_name, line.amount) for line in found] == [
        ("GROUPAMA CENTRE MANCHE", Decimal("97.49"))
    ]
    assert found[0].remittance.startswith("PRLV SEPA GROUPAMA CEN")
    assert found[0].kind is TransactionKind.REFUND  # a direct debit given back
