"""The demo company written as canonical CSV reads back as the same customers and entries."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import DEMO_UNTIL

from encours.demo.csv_export import write_canonical_csv
from encours.demo.generator import generate
from encours.domain.records import NO_SOURCE, Entry
from encours.ingest import detect
from encours.ingest.parsed import ParsedFile
from encours.ingest.registry import parser_for


def read_back(path: Path) -> ParsedFile:
    assert detect.detect_format(path.read_bytes()) == detect.CSV
    parser = parser_for(detect.CSV)
    assert parser is not None
    parsed = parser(str(path), path.read_bytes(), {})
    assert parsed.errors == ()
    return parsed


def comparable(entry: Entry) -> Entry:
    """Labels are free text the export does not carry; sources name the file read."""
    return entry._replace(label="", source=NO_SOURCE)


def test_demo_ledger_survives_a_canonical_csv_round_trip(tmp_path: Path) -> None:
    ledger = generate(seed=11, customers=12, until=DEMO_UNTIL)
    customers_csv, invoices_csv, payments_csv = write_canonical_csv(ledger, tmp_path / "export")

    customers = read_back(customers_csv).customers
    assert [c._replace(source=NO_SOURCE) for c in customers] == list(ledger.customers)

    invoices, payments = read_back(invoices_csv), read_back(payments_csv)
    read = sorted(map(comparable, invoices.entries + payments.entries))
    assert read == sorted(map(comparable, ledger.entries))

    # each allocated payment names its invoice; unapplied receipts name none
    paid = {(a.credit_key, a.debit_key) for a in ledger.allocations if a.credit_key.startswith("pay:")}
    assert {(link.payment_key, link.invoice_key) for link in payments.payment_links} == paid
    assert len(payments.payment_links) < len(payments.entries)  # the demo has unapplied receipts


def test_demo_customers_have_french_postal_addresses_phones_and_valid_ibans() -> None:
    from stdnum import iban

    from encours.demo.generator import generate

    ledger = generate(seed=3, customers=60)
    assert all(c.has_postal_address and c.phone for c in ledger.customers)
    french = [c for c in ledger.customers if c.country == "FR"]
    assert french and all(c.postal_code and re.fullmatch(r"\d{5}", c.postal_code) for c in french)
    assert all(c.city and c.city in c.name for c in french)  # "Atelier Lyon 3" lives in Lyon
    ibans = [c.iban for c in ledger.customers if c.iban]
    assert ibans and all(iban.is_valid(value) for value in ibans)
    # contacts come from a generator of their own: amounts and dates of the ledger are unchanged
    assert generate(seed=3, customers=60).entries == ledger.entries
