"""Every public e-invoice sample (Factur-X PDF, CII, UBL): detected, imported, deduplicated.

Expected values were read off the files: BT-1 number, BT-2 issue date, BT-9 due date,
BT-115 amount due, the buyer's identifiers.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from tests.conftest import SAMPLES, invoke, query
from typer.testing import CliRunner

from encours.ingest import detect
from encours.ingest.registry import parser_for


class Expected(NamedTuple):
    path: Path
    format: str
    entry: tuple[str, str, str, str, str, int, str]  # key, customer, kind, issue, due, cents, currency
    customer: tuple[str, str, str | None, str | None, str | None, str | None]  # id, name, country...


CASES = [
    # buyer VAT "FR 05 987 654 321" and SIREN 987654321 fail their checksums: keyed by name
    Expected(
        SAMPLES / "facturx/akretion-invoice_EN16931.pdf",
        detect.FACTURX,
        ("doc:F20260023", "LE CLIENT", "invoice", "2026-01-31", "2026-03-02", 10490, "EUR"),
        ("LE CLIENT", "LE CLIENT", "FR", "me@buyer.com", None, None),
    ),
    # TypeCode 381: a credit note, stored negative, due on its issue date; buyer SIRET 787878784 00035
    Expected(
        SAMPLES / "facturx/fnfe-Avoir_FR_type381_BASIC.pdf",
        detect.FACTURX,
        ("doc:AV-2017-0005", "FR19787878784", "credit_note", "2017-11-16", "2017-11-16", -23347, "EUR"),
        ("FR19787878784", "Ma jolie boutique", "FR", None, "787878784", "FR19787878784"),
    ),
    # the XML inside the akretion PDF, as a file of its own
    Expected(
        SAMPLES / "cii/akretion-factur-x-en16931.xml",
        detect.CII,
        ("doc:F20260023", "LE CLIENT", "invoice", "2026-01-31", "2026-03-02", 10490, "EUR"),
        ("LE CLIENT", "LE CLIENT", "FR", "me@buyer.com", None, None),
    ),
    Expected(
        SAMPLES / "cii/cen-CII_example9.xml",
        detect.CII,
        ("doc:20150483", "Provide Verzekeringen", "invoice", "2015-04-01", "2015-04-15", 17787, "EUR"),
        ("Provide Verzekeringen", "Provide Verzekeringen", "NL", None, None, None),
    ),
    # TaxInclusiveAmount 308.03 minus PrepaidAmount 100.00 = PayableAmount 208.03 still owed
    Expected(
        SAMPLES / "ubl/akretion-ubl-21-extended-ctc-fr.xml",
        detect.UBL,
        ("doc:F124212", "FR19787878784", "invoice", "2026-06-17", "2026-07-16", 20803, "EUR"),
        (
            "FR19787878784",
            "Ma jolie boutique SARL",
            "FR",
            "laetita.durand@jolieboutique.com",
            "787878784",
            "FR19787878784",
        ),
    ),
    Expected(
        SAMPLES / "ubl/cen-ubl-tc434-creditnote1.xml",
        detect.UBL,
        ("doc:018304 / 28865", "BE0000000295", "credit_note", "2019-09-23", "2019-09-23", -10011, "EUR"),
        (
            "BE0000000295",
            "My Customer Company",
            "BE",
            "pete.smith@mycustomercompany.be",
            None,
            "BE0000000295",
        ),
    ),
]
IDS = [case.path.name for case in CASES]


def stored_entries(url: str) -> list[tuple[Any, ...]]:
    return query(
        url,
        "SELECT e.key, c.customer_id, e.kind, e.date, e.due_date, e.amount_cents, e.currency "
        "FROM entries e JOIN customers c ON c.id = e.customer_pk ORDER BY e.key",
    )


def stored_customers(url: str) -> list[tuple[Any, ...]]:
    return query(
        url, "SELECT customer_id, name, country, email, siren, vat_number FROM customers ORDER BY customer_id"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_is_detected_from_content(case: Expected) -> None:
    assert detect.detect_format(case.path.read_bytes()) == case.format


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_imports_its_document_and_buyer(case: Expected, cli: CliRunner, sqlite_url: str) -> None:
    code, out, err = invoke(cli, "import", str(case.path), "--db", sqlite_url)
    assert code == 0, err
    assert f"({case.format})" in out and "customers 1 new" in out and "entries 1 new" in out
    entries = [
        tuple(str(v) if i in (3, 4) else v for i, v in enumerate(row)) for row in stored_entries(sqlite_url)
    ]
    assert entries == [case.entry]
    assert stored_customers(sqlite_url) == [case.customer]
    code, out, err = invoke(cli, "import", str(case.path), "--db", sqlite_url)
    assert code == 0, err
    assert "customers 0 new, 0 updated; entries 0 new, 0 updated, 1 unchanged" in out


def test_pdf_and_its_xml_are_one_invoice(cli: CliRunner, db_url: str) -> None:
    """Same number, same key: the second source changes nothing."""
    pdf, xml = CASES[0].path, CASES[2].path
    code, out, err = invoke(cli, "import", str(pdf), str(xml), "--db", db_url)
    assert code == 0, err
    assert "entries 1 new" in out and "entries 0 new, 0 updated, 1 unchanged" in out
    assert len(stored_entries(db_url)) == 1


def test_every_sample_on_both_backends_with_one_buyer_across_formats(cli: CliRunner, db_url: str) -> None:
    code, out, err = invoke(cli, "import", *(str(case.path) for case in CASES), "--db", db_url)
    assert code == 0, err
    keys = [row[0] for row in stored_entries(db_url)]
    assert keys == sorted({case.entry[0] for case in CASES})
    # the Factur-X credit note and the UBL invoice share the buyer's VAT number: one customer
    customers = stored_customers(db_url)
    assert [c[0] for c in customers] == [
        "BE0000000295",
        "FR19787878784",
        "LE CLIENT",
        "Provide Verzekeringen",
    ]
    code, out, err = invoke(cli, "aging", "--as-of", "2026-12-31", "--format", "json", "--db", db_url)
    assert code == 0, err
    assert '"total": "-100.11"' in out  # the BE credit note, unapplied, ages from its own date


def test_prepaid_invoice_stores_what_is_still_due_and_says_why() -> None:
    parser = parser_for(detect.UBL)
    assert parser is not None
    entry = parser("f", CASES[4].path.read_bytes(), {}).entries[0]
    assert entry.amount == Decimal("208.03")
    assert entry.label.endswith("(total TTC 308.03, déjà réglé 100.00)")


def test_parsers_are_pure_and_report_no_errors() -> None:
    for case in CASES:
        parser = parser_for(case.format)
        assert parser is not None
        parsed = parser(str(case.path), case.path.read_bytes(), {})
        assert parsed.errors == () and len(parsed.entries) == 1 and len(parsed.customers) == 1
        assert parsed.entries[0].source.line > 1


def test_the_buyers_postal_address_comes_with_cii_and_ubl() -> None:
    """BG-8: street lines, post code, city; the buyer's phone when the document gives one."""
    found = {}
    for case in CASES:
        parser = parser_for(case.format)
        assert parser is not None
        parsed = parser(str(case.path), case.path.read_bytes(), {})
        for customer in parsed.customers:
            found[case.path.name] = (customer.address_line1, customer.postal_code, customer.city)
    assert found["cen-CII_example9.xml"] == ("Henry Dunantweg 42", "2402 NR", "Alphen aan den Rijn")
    assert found["akretion-ubl-21-extended-ctc-fr.xml"] == ("35 rue de la République", "69001", "Lyon")
    assert found["cen-ubl-tc434-creditnote1.xml"] == ("Boulevard Sint Michel 53", "1000", "BRUXELLES")
    assert all(address[0] and address[2] for address in found.values())
