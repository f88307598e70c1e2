"""Variants real exports show: trimmed or glued CFONB records, camt without namespace, CRLF."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from tests.conftest import SAMPLES

from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.bank.common import UNIDENTIFIED
from encours.ingest.registry import parser_for
from encours.ingest.textfile import physical_lines

PENNYLANE = SAMPLES / "cfonb120/pennylane-example.txt"
CAMT = SAMPLES / "camt053/oca-test-camt053.xml"


def parse(format_name: str, data: bytes) -> list[tuple[str, Decimal]]:
    assert detect.detect_format(data) == format_name
    parser = parser_for(format_name)
    assert parser is not None
    parsed = parser("f", data, {})
    assert parsed.errors == ()
    return [(e.date.isoformat(), -e.amount) for e in parsed.entries]


def records() -> list[str]:
    text = PENNYLANE.read_text(encoding="latin-1")
    return [line.text for line in physical_lines(text) if line.text.strip()]


def test_cfonb_with_trailing_spaces_trimmed() -> None:
    data = "\r\n".join(record.rstrip() for record in records()).encode("latin-1")
    assert parse(detect.CFONB120, data) == [("2019-05-17", Decimal("97.49"))]


def test_cfonb_records_glued_on_one_line() -> None:
    data = "".join(records()).encode("latin-1")
    assert parse(detect.CFONB120, data) == [("2019-05-17", Decimal("97.49"))]


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
    parser = parser_for(detect.OFX)
    assert parser is not None
    parsed = parser("f.ofx", data, {})
    assert parsed.errors == ()
    assert [e.customer_id for e in parsed.entries] == [UNIDENTIFIED]
    assert "Réf FACT-2011-17" in parsed.entries[0].label


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
    "old,new,receipts",
    [
        (_STATUS, "<Sts>PDNG</Sts>", 0),  # pending: not on the account yet
        (_STATUS, "<Sts><Cd>BOOK</Cd></Sts>", 1),  # camt.053.001.08 and later
        ("<RvslInd>false</RvslInd>", "<RvslInd>true</RvslInd>", 0),  # a credit undoing a debit
        (
            "<CdtDbtInd>CRDT</CdtDbtInd>\n        <RvslInd>",
            "<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>",
            0,
        ),
    ],
)
def test_only_booked_non_reversed_credits_are_receipts(old: str, new: str, receipts: int) -> None:
    content = CAMT054.read_text(encoding="utf-8")
    assert old in content
    assert len(parse(detect.CAMT054, content.replace(old, new, 1).encode())) == receipts


def test_cfonb_payer_name_from_its_complement_record_identifies_the_customer() -> None:
    lines = records()
    credit = next(i for i, line in enumerate(lines) if line.startswith("04") and line[103] == "I")
    payer = lines[credit][:45].replace("04", "05", 1) + "NPY" + "GROUPAMA CENTRE MANCHE".ljust(72)
    data = "\n".join([*lines[: credit + 1], payer, *lines[credit + 1 :]]).encode("latin-1")
    parser = parser_for(detect.CFONB120)
    assert parser is not None
    known = {"G1": Customer("G1", "Groupama Centre-Manche"), "G2": Customer("G2", "Groupama Sud")}
    parsed = parser("f", data, known)
    assert parsed.errors == ()
    assert [(e.customer_id, e.amount) for e in parsed.entries] == [("G1", Decimal("-97.49"))]
    assert parsed.entries[0].label.startswith("GROUPAMA CENTRE MANCHE | PRLV SEPA GROUPAMA CEN")
    assert parsed.customers == ()  # nobody unidentified: no catch-all customer declared
