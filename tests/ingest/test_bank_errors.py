"""A damaged bank statement imports nothing and exits 2, naming the file, the line and the field.

Each test corrupts one line of a copy of a public sample (in tmp_path) and checks the
message points at exactly that physical line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import SAMPLES, invoke, query
from tests.ingest.corrupt import corrupt as corrupt_sample
from typer.testing import CliRunner

from encours.ingest import detect
from encours.ingest.bank import BANK_PARSERS
from encours.ingest.bank.cfonb120 import cfonb_amount


def corrupt(tmp_path: Path, sample: str, old: str, new: str) -> tuple[Path, int]:
    """Statements are single-byte text: latin-1 reads every byte back as it was."""
    return corrupt_sample(tmp_path, SAMPLES / sample, old, new, encoding="latin-1")


def stored_count(url: str) -> int:
    """Ledger entries and bank lines: a refused statement adds to neither."""
    [(count,)] = query(
        url, "SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM bank_transactions)"
    )
    return int(count)


_CAMT_CREDIT = "<CdtDbtInd>CRDT</CdtDbtInd>\n                <Sts>"
_CAMT054_BOOKED = "<Dt>2022-01-26</Dt>\n        </BookgDt>"
CORRUPTIONS = [
    # (sample, text replaced, replacement, field named)
    ("camt053/oca-test-camt053.xml", '<Amt Ccy="EUR">1405.31</Amt>', '<Amt Ccy="EUR">14O5.31</Amt>', "Amt"),
    ("camt053/oca-test-camt053.xml", _CAMT_CREDIT, _CAMT_CREDIT.replace("CRDT", "CREDIT"), "CdtDbtInd"),
    ("camt054/oca-test-camt054.xml", _CAMT054_BOOKED, _CAMT054_BOOKED.replace("01-26", "02-30"), "BookgDt"),
    ("ofx/ofxparse-checking.ofx", "<TRNAMT>0.01", "<TRNAMT>0,0,1", "TRNAMT"),
    ("ofx/oca-test_ofx_iban.ofx", "<DTPOSTED>20130824080000<", "<DTPOSTED>2013-08-24<", "DTPOSTED"),
    ("cfonb120/pennylane-example.txt", "0000000000974I", "0000000000974X", "amount"),
    # new balance -163.71 instead of -163.72 = -24.12 + 97.49 - 1.21 - 0.79 (see the 07 line)
    ("cfonb120/pennylane-example.txt", "0000000001637K", "0000000001637J", "amount"),
    ("cfonb120/oca-test_cfonb.txt", "0530004085900003EUR2", "0930004085900003EUR2", "record"),
    ("mt940/betterplace-sepa_snippet.sta", ":61:0709070904CR154551,93", ":61:0709070904CR15455X,93", ":61:"),
    ("mt940/jejik-abnamro.sta", ":60F:C110522EUR3236,28", ":60F:C11052EUR3236,28", ":60F:"),
]


@pytest.mark.parametrize("sample,old,new,field", CORRUPTIONS, ids=[f"{c[0]}-{c[3]}" for c in CORRUPTIONS])
def test_corrupted_statement_is_rejected_whole(
    sample: str, old: str, new: str, field: str, tmp_path: Path, cli: CliRunner, sqlite_url: str
) -> None:
    path, line = corrupt(tmp_path, sample, old, new)
    code, out, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2, out
    assert f"{path}:{line} [{field}]" in err.replace("\n", "")
    assert f"{path}: nothing imported" in err.replace("\n", "")
    assert stored_count(sqlite_url) == 0


def test_malformed_xml_names_the_line_of_the_syntax_error(
    tmp_path: Path, cli: CliRunner, sqlite_url: str
) -> None:
    old = '<Amt Ccy="EUR">754.25</Amt>'
    path, line = corrupt(tmp_path, "camt053/oca-test-camt053.xml", old, old.replace("</Amt>", "</Amount>"))
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2
    assert f"{path}:{line}" in err and "malformed XML" in err


def test_damaged_sgml_ofx_names_a_line(tmp_path: Path, cli: CliRunner, sqlite_url: str) -> None:
    path, line = corrupt(
        tmp_path, "ofx/ofxparse-checking.ofx", "\t\t\t\t</BANKACCTFROM>", "\t\t\t\t</BANKACCTFROM>stray text"
    )
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2
    assert f"{path}:{line}" in err and "malformed OFX" in err


def test_statement_from_the_wrong_account_section_is_rejected(tmp_path: Path) -> None:
    path, line = corrupt(
        tmp_path,
        "cfonb120/oca-test_cfonb.txt",
        "0430004900200003EUR2 12345678901",
        "0430004900200003EUR2 12345678999",
    )
    parsed = BANK_PARSERS[detect.CFONB120](str(path), path.read_bytes())
    # the first error is the cause; the section's balance no longer adds up either
    assert [(e.line, e.field) for e in parsed.errors[:1]] == [(line, "account")]


def test_cfonb_amount_zone_follows_the_letter_code_table() -> None:
    assert str(cfonb_amount("0000000001944}", 2)) == "-194.40"
    assert str(cfonb_amount("0000000000974I", 2)) == "97.49"
    assert str(cfonb_amount("0000000000190E", 2)) == "19.05"
    assert str(cfonb_amount("0000000000190{", 3)) == "1.900"
    assert str(cfonb_amount("0000000005607L", 2)) == "-560.73"
    assert str(cfonb_amount("0000000081763R", 0)) == "-817639"
    with pytest.raises(ValueError):
        cfonb_amount("00000000019 4}", 2)


def test_ofx_without_any_statement_is_refused() -> None:
    sample = (SAMPLES / "ofx/ofxparse-checking.ofx").read_text(encoding="latin-1")
    head, _, _ = sample.partition("\t<BANKMSGSRSV1>")
    parsed = BANK_PARSERS[detect.OFX]("f.ofx", (head + "</OFX>\n").encode("latin-1"))
    assert [(e.line, e.field) for e in parsed.errors] == [(1, "STMTRS")]
