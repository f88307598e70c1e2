"""Every public bank-statement sample: detected from content, imported through `encours import`.

Expected receipts were read off the files by hand: only credits to the account holder are
customer receipts (debits are our own spending), each an unapplied payment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest
from tests.conftest import SAMPLES, invoke, query
from typer.testing import CliRunner

from encours.domain.records import EntryKind
from encours.ingest import detect
from encours.ingest.bank.common import UNIDENTIFIED, UNIDENTIFIED_NAME
from encours.ingest.registry import parser_for


class Expected(NamedTuple):
    path: Path
    format: str
    receipts: tuple[tuple[str, str, str], ...]  # (date, amount received, currency)


MT940_CREDITS = ("50990.05", "154551.93", "154551.93", "335.33", "15000.00", "15000.05", "125004.88")
MT940_CREDITS += ("915311.55",)
CASES = [
    # one credit (ESCT transfer from "3rd party Media"); the direct debit and its reversal are debits
    Expected(SAMPLES / "camt053/oca-test-camt053.xml", detect.CAMT053, (("2014-01-05", "1405.31", "EUR"),)),
    # one credit entry of 3483.00 batching two transactions of 2187.00 and 1296.00
    Expected(
        SAMPLES / "camt053/oca-test-camt053-txdtls.xml",
        detect.CAMT053,
        (("2017-03-22", "2187.00", "CHF"), ("2017-03-22", "1296.00", "CHF")),
    ),
    Expected(SAMPLES / "camt054/oca-test-camt054.xml", detect.CAMT054, (("2022-01-26", "5.00", "EUR"),)),
    # four POS debits, and an empty credit-card statement
    Expected(SAMPLES / "ofx/oca-test_ofx_iban.ofx", detect.OFX, ()),
    # SGML OFX 1.0.2: one CREDIT of 0.01 USD, a debit and a cheque
    Expected(SAMPLES / "ofx/ofxparse-checking.ofx", detect.OFX, (("2011-03-31", "0.01", "USD"),)),
    # two accounts, every movement negative (last characters L, P, M, R and "}")
    Expected(SAMPLES / "cfonb120/oca-test_cfonb.txt", detect.CFONB120, ()),
    # the returned direct debit "PRLV SEPA GROUPAMA" 0000000000974I = +97.49, booked 17/05/19
    Expected(SAMPLES / "cfonb120/pennylane-example.txt", detect.CFONB120, (("2019-05-17", "97.49", "EUR"),)),
    # eight :61: C lines over two statements; the D lines are skipped
    Expected(
        SAMPLES / "mt940/betterplace-sepa_snippet.sta",
        detect.MT940,
        tuple(("2007-09-04", amount, "EUR") for amount in MT940_CREDITS),
    ),
    # card payments only
    Expected(SAMPLES / "mt940/jejik-abnamro.sta", detect.MT940, ()),
]
IDS = [case.path.name for case in CASES]


def stored_payments(url: str) -> list[tuple[str, str, str, str, str]]:
    """(date, amount received, currency, customer_id, kind) of every stored entry, in file order."""
    rows = query(
        url,
        "SELECT e.date, e.amount_cents, e.currency, c.customer_id, e.kind FROM entries e "
        "JOIN customers c ON c.id = e.customer_pk ORDER BY e.id",
    )
    return [
        (str(day), f"{Decimal(-cents) / 100:.2f}", currency, customer, kind)
        for day, cents, currency, customer, kind in rows
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_is_detected_from_content(case: Expected) -> None:
    assert detect.detect_format(case.path.read_bytes()) == case.format


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_parses_to_its_receipts(case: Expected) -> None:
    parser = parser_for(case.format)
    assert parser is not None
    parsed = parser(str(case.path), case.path.read_bytes(), {})
    assert parsed.errors == ()
    assert all(e.kind is EntryKind.PAYMENT and e.amount < 0 for e in parsed.entries)
    found = tuple((e.date.isoformat(), f"{-e.amount:.2f}", e.currency) for e in parsed.entries)
    assert found == case.receipts
    assert len({e.key for e in parsed.entries}) == len(parsed.entries)
    assert all(e.key.startswith("bank:") and e.source.line > 0 for e in parsed.entries)
    # nobody is known: every receipt waits in the catch-all customer, declared once
    assert {e.customer_id for e in parsed.entries} <= {UNIDENTIFIED}
    expected_customers = (UNIDENTIFIED_NAME,) if parsed.entries else ()
    assert tuple(c.name for c in parsed.customers) == expected_customers


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_imports_once_through_the_cli(case: Expected, cli: CliRunner, sqlite_url: str) -> None:
    code, out, err = invoke(cli, "import", str(case.path), "--db", sqlite_url)
    assert code == 0, err
    assert f"({case.format})" in out and f"entries {len(case.receipts)} new" in out
    stored = stored_payments(sqlite_url)
    assert [(d, a, c) for d, a, c, _, _ in stored] == list(case.receipts)
    assert {(customer, kind) for *_, customer, kind in stored} <= {(UNIDENTIFIED, "payment")}
    code, out, err = invoke(cli, "import", str(case.path), "--db", sqlite_url)
    assert code == 0, err
    assert f"entries 0 new, 0 updated, {len(case.receipts)} unchanged" in out
    assert stored_payments(sqlite_url) == stored


def test_format_can_be_forced(cli: CliRunner, sqlite_url: str) -> None:
    sample = SAMPLES / "camt054/oca-test-camt054.xml"
    code, out, err = invoke(cli, "import", "--format", "camt054", str(sample), "--db", sqlite_url)
    assert code == 0, err
    assert "(camt054)" in out
    code, _, err = invoke(cli, "import", "--format", "cfonb120", str(sample), "--db", sqlite_url)
    assert code == 2
    assert f"{sample}:1" in err and "nothing imported" in err


def test_every_bank_sample_in_one_command_on_both_backends(cli: CliRunner, db_url: str) -> None:
    paths = [str(case.path) for case in CASES]
    code, out, err = invoke(cli, "import", *paths, "--db", db_url)
    assert code == 0, err
    expected = sorted(r for case in CASES for r in case.receipts)
    assert sorted((d, a, c) for d, a, c, _, _ in stored_payments(db_url)) == expected
    # the unapplied receipts age from their own dates: all of them are 91+ days old in 2024
    code, out, err = invoke(cli, "aging", "--as-of", "2024-01-01", "--format", "csv", "--db", db_url)
    assert code == 0, err
    lines = out.splitlines()
    by_currency = {line.split(",")[2]: line.split(",") for line in lines[1:]}
    for currency in ("EUR", "CHF", "USD"):
        total = sum(Decimal(a) for _, a, c in expected if c == currency)
        row = by_currency[currency]
        assert row[0] == UNIDENTIFIED and Decimal(row[3]) == -total and Decimal(row[-1]) == -total


def test_identical_receipts_in_one_file_get_distinct_stable_keys(tmp_path: Path) -> None:
    """Two same-day credits of the same amount without references are two payments."""
    sample = (SAMPLES / "cfonb120/pennylane-example.txt").read_text(encoding="latin-1")
    lines = sample.splitlines(keepends=True)
    credit = next(i for i, line in enumerate(lines) if line.startswith("04") and line[103] == "I")
    doubled = [*lines[: credit + 1], lines[credit], *lines[credit + 1 :]]
    # the new balance must still add up: -163.72 + 97.49 = -66.23, i.e. 662 then L (3, negative)
    closing = max(i for i, line in enumerate(doubled) if line.startswith("07"))
    doubled[closing] = doubled[closing][:90] + "0000000000662L" + doubled[closing][104:]
    parser = parser_for(detect.CFONB120)
    assert parser is not None
    first = parser("f.txt", "".join(doubled).encode("latin-1"), {})
    again = parser("f.txt", "".join(doubled).encode("latin-1"), {})
    assert first.errors == ()
    assert [e.amount for e in first.entries] == [Decimal("-97.49")] * 2
    assert len({e.key for e in first.entries}) == 2
    assert [e.key for e in first.entries] == [e.key for e in again.entries]
    assert first.entries[0].date == dt.date(2019, 5, 17)
