"""Every public bank-statement sample: detected from content, read into bank lines.

Expected figures were read off the files by hand: every booked movement is a line (debits
too), and each credit has the kind its transaction code or label gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from tests.conftest import SAMPLES, invoke
from typer.testing import CliRunner

from encours.ingest import detect
from encours.ingest.bank import BANK_PARSERS

CREDIT, REFUND, INTEREST = "customer_credit", "refund", "interest"
S = SAMPLES


class Expected(NamedTuple):
    path: Path
    format: str
    lines: int  # every booked movement
    credits: tuple[tuple[str, str, str, str], ...]  # (booking date, amount, currency, kind)


CASES = [
    # a direct debit, a reversal split into two debits, one ESCT transfer received
    Expected(
        S / "camt053/oca-test-camt053.xml",
        detect.CAMT053,
        4,
        (("2014-01-05", "1405.31", "EUR", CREDIT),),
    ),
    # one credit entry of 3483.00 batching two transactions of 2187.00 and 1296.00
    Expected(
        S / "camt053/oca-test-camt053-txdtls.xml",
        detect.CAMT053,
        2,
        (("2017-03-22", "2187.00", "CHF", CREDIT), ("2017-03-22", "1296.00", "CHF", CREDIT)),
    ),
    Expected(S / "camt054/oca-test-camt054.xml", detect.CAMT054, 1, (("2022-01-26", "5.00", "EUR", CREDIT),)),
    # four POS debits, and an empty credit-card statement
    Expected(S / "ofx/oca-test_ofx_iban.ofx", detect.OFX, 4, ()),
    # SGML OFX 1.0.2: a CREDIT of 0.01 USD named "DIVIDEND EARNED", a debit and a cheque
    Expected(S / "ofx/ofxparse-checking.ofx", detect.OFX, 3, (("2011-03-31", "0.01", "USD", INTEREST),)),
    # two accounts, every movement negative (last characters L, P, M, R and "}")
    Expected(S / "cfonb120/oca-test_cfonb.txt", detect.CFONB120, 7, ()),
    # the direct debit "PRLV SEPA GROUPAMA" given back: 0000000000974I = +97.49, booked 17/05/19
    Expected(
        S / "cfonb120/pennylane-example.txt",
        detect.CFONB120,
        6,
        (("2019-05-17", "97.49", "EUR", REFUND),),
    ),
    # eight :61: C lines over two statements: SEPA credits (GVC 166) and returns (GVC 159)
    Expected(
        S / "mt940/betterplace-sepa_snippet.sta",
        detect.MT940,
        11,
        tuple(
            ("2007-09-04", amount, "EUR", kind)
            for amount, kind in (
                ("50990.05", CREDIT),
                ("154551.93", CREDIT),
                ("154551.93", CREDIT),
                ("335.33", REFUND),
                ("15000.00", REFUND),
                ("15000.05", CREDIT),
                ("125004.88", CREDIT),
                ("915311.55", REFUND),
            )
        ),
    ),
    # card payments only
    Expected(S / "mt940/jejik-abnamro.sta", detect.MT940, 10, ()),
]
IDS = [case.path.name for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_is_detected_from_content(case: Expected) -> None:
    assert detect.detect_format(case.path.read_bytes()) == case.format


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_reads_to_its_lines(case: Expected) -> None:
    parsed = BANK_PARSERS[case.format](str(case.path), case.path.read_bytes())
    assert parsed.errors == ()
    lines = [line for statement in parsed.statements for line in statement.lines]
    assert len(lines) == case.lines
    credits = tuple(
        (e.booking_date.isoformat(), f"{e.amount:.2f}", e.currency, e.kind.value)
        for e in lines
        if e.amount > 0
    )
    assert credits == case.credits
    assert all(e.line > 0 and (e.kind.value == "debit") == (e.amount < 0) for e in lines)


def test_format_can_be_forced(cli: CliRunner, sqlite_url: str) -> None:
    sample = SAMPLES / "camt054/oca-test-camt054.xml"
    code, out, err = invoke(cli, "import", "--format", "camt054", str(sample), "--db", sqlite_url)
    assert code == 0, err
    assert "(camt054)" in out
    code, _, err = invoke(cli, "import", "--format", "cfonb120", str(sample), "--db", sqlite_url)
    assert code == 2
    assert f"{sample}:1" in err and "nothing imported" in err
