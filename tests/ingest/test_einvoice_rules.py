"""E-invoice rules: buyer matched to known customers, due date fallback, rejected documents."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfWriter
from tests.conftest import SAMPLES, invoke, query
from tests.ingest.corrupt import corrupt
from typer.testing import CliRunner

from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.einvoice.common import Buyer, buyer_customer, normalise_siren, normalise_vat
from encours.ingest.registry import parser_for

CII_EXAMPLE = SAMPLES / "cii/cen-CII_example9.xml"
UBL_INVOICE = SAMPLES / "ubl/akretion-ubl-21-extended-ctc-fr.xml"
FACTURX_CREDIT = SAMPLES / "facturx/fnfe-Avoir_FR_type381_BASIC.pdf"


# -- buyer identification ------------------------------------------------------------------


def test_identifiers_are_validated_and_normalised() -> None:
    assert normalise_vat("FR 19 787 878 784") == "FR19787878784"
    assert normalise_vat("FR 05 987 654 321") is None  # wrong check digits
    assert normalise_siren(["787 878 784 00035"], None) == "787878784"  # a SIRET gives its SIREN
    assert normalise_siren([], "FR19787878784") == "787878784"  # so does a French VAT number
    assert normalise_siren(["987654321"], None) is None


def test_buyer_matches_a_known_customer_and_only_fills_empty_fields() -> None:
    known = {
        "C42": Customer("C42", "Jolie Boutique (Lyon)", payment_terms_days=60, siren="787878784"),
        "C7": Customer("C7", "Autre", vat_number="FR40303265045"),
    }
    buyer = Buyer("Ma jolie boutique", "FR19787878784", (), "fr", "compta@jolie.fr")
    customer = buyer_customer(buyer, known)
    assert customer.customer_id == "C42" and customer.name == "Jolie Boutique (Lyon)"
    assert customer.payment_terms_days == 60 and customer.vat_number == "FR19787878784"
    assert customer.country == "FR" and customer.email == "compta@jolie.fr"
    by_name = buyer_customer(Buyer("AUTRE S.A.", None, (), None, None), known)
    assert by_name.customer_id == "C7"
    new = buyer_customer(Buyer("Nouveau", None, ("552 100 554",), None, None), known)
    assert (new.customer_id, new.name, new.siren) == ("552100554", "Nouveau", "552100554")
    unnamed = buyer_customer(Buyer("Sans  Numéro", "FR00000000000", (), None, None), known)
    assert (unnamed.customer_id, unnamed.vat_number) == ("Sans Numéro", None)


def test_known_customer_keeps_its_id_and_terms_give_the_due_date(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,name,payment_terms_days,vat_number\nC42,Boutique Lyon,45,FR19787878784\n",
        encoding="utf-8",
    )
    # without its DueDate the UBL invoice is due issue date + the customer's 45 days
    no_due, _ = corrupt(tmp_path, UBL_INVOICE, "<cbc:DueDate>2026-07-16</cbc:DueDate>", "")
    code, _, err = invoke(cli, "import", str(customers), str(no_due), str(FACTURX_CREDIT), "--db", sqlite_url)
    assert code == 0, err
    assert query(sqlite_url, "SELECT customer_id, name, payment_terms_days FROM customers") == [
        ("C42", "Boutique Lyon", 45)
    ]
    rows = query(sqlite_url, "SELECT key, due_date, amount_cents FROM entries ORDER BY key")
    issue = dt.date(2026, 6, 17)
    assert [(k, str(d), a) for k, d, a in rows] == [
        ("doc:AV-2017-0005", "2017-11-16", -23347),
        ("doc:F124212", str(issue + dt.timedelta(days=45)), 20803),
    ]


def test_due_date_defaults_to_thirty_days_for_a_new_buyer(tmp_path: Path) -> None:
    path, _ = corrupt(tmp_path, CII_EXAMPLE, "<ram:DueDateDateTime>", "<ram:Other>")
    path.write_text(path.read_text().replace("</ram:DueDateDateTime>", "</ram:Other>"))
    parser = parser_for(detect.CII)
    assert parser is not None
    parsed = parser(str(path), path.read_bytes(), {})
    assert parsed.errors == ()
    assert parsed.entries[0].due_date == dt.date(2015, 4, 1) + dt.timedelta(days=30)
    assert parsed.entries[0].amount == Decimal("177.87")


def test_same_invoice_from_canonical_csv_and_cii_is_stored_once(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "invoice_id,customer_id,issue_date,amount,due_date\n20150483,PROVIDE,2015-04-01,177.87,2015-04-15\n",
        encoding="utf-8",
    )
    code, _, err = invoke(cli, "import", str(invoices), "--db", sqlite_url)
    assert code == 0, err
    code, out, err = invoke(cli, "import", str(CII_EXAMPLE), "--db", sqlite_url)
    assert code == 0, err
    # the document adds its payment reference as label: one update, no new entry
    assert "customers 0 new" in out and "entries 0 new, 1 updated" in out
    # the entry keeps the customer the ledger gave it; no customer is made from the buyer block
    assert query(
        sqlite_url,
        "SELECT c.customer_id FROM entries e JOIN customers c ON c.id = e.customer_pk "
        "WHERE e.key = 'doc:20150483'",
    ) == [("PROVIDE",)]
    assert query(sqlite_url, "SELECT customer_id FROM customers") == [("PROVIDE",)]


# -- rejected documents ----------------------------------------------------------------------

_PAYABLE = '<cbc:PayableAmount currencyID="EUR">208.03<'
_ISSUED = '<udt:DateTimeString format="102">20150401<'
BROKEN = [
    (UBL_INVOICE, _PAYABLE, _PAYABLE.replace("208", "20B"), "PayableAmount"),
    (UBL_INVOICE, "<cbc:IssueDate>2026-06-17<", "<cbc:IssueDate>2026-06-31<", "IssueDate"),
    (CII_EXAMPLE, "<ram:DuePayableAmount>177.87<", "<ram:DuePayableAmount>-177.87<", "DuePayableAmount"),
    (CII_EXAMPLE, _ISSUED, _ISSUED.replace("20150401", "2015-04-01"), "IssueDateTime"),
    (CII_EXAMPLE, "<ram:Name>Provide Verzekeringen<", "<ram:Name> <", "BuyerTradeParty/Name"),
]


@pytest.mark.parametrize("sample,old,new,field", BROKEN, ids=[b[3] for b in BROKEN])
def test_broken_document_is_rejected_naming_line_and_field(
    sample: Path, old: str, new: str, field: str, tmp_path: Path, cli: CliRunner, sqlite_url: str
) -> None:
    path, line = corrupt(tmp_path, sample, old, new)
    code, out, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2, out
    flat = err.replace("\n", "")
    assert f"{path}:{line} [{field}]" in flat and f"{path}: nothing imported" in flat
    assert query(sqlite_url, "SELECT COUNT(*) FROM entries") == [(0,)]


def test_malformed_xml_is_rejected_with_its_line(tmp_path: Path, cli: CliRunner, sqlite_url: str) -> None:
    path, line = corrupt(tmp_path, UBL_INVOICE, "</cbc:IssueDate>", "</cbc:IssueDat>")
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2
    assert f"{path}:{line}" in err and "malformed XML" in err


def test_pdf_without_embedded_invoice_is_rejected(tmp_path: Path, cli: CliRunner, sqlite_url: str) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "plain.pdf"
    path.write_bytes(buffer.getvalue())
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2
    assert f"{path}:1" in err and "no Factur-X" in err
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(FACTURX_CREDIT.read_bytes()[:2000])
    code, _, err = invoke(cli, "import", str(damaged), "--db", sqlite_url)
    assert code == 2
    assert f"{damaged}:1" in err


def test_error_inside_the_embedded_xml_names_its_line(
    tmp_path: Path, cli: CliRunner, sqlite_url: str
) -> None:
    """A Factur-X PDF made here from the CEN example with a damaged amount on XML line 145."""
    from facturx import generate_from_binary

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    xml = CII_EXAMPLE.read_bytes()
    line = xml[: xml.index(b"<ram:DuePayableAmount>")].count(b"\n") + 1
    xml = xml.replace(b"<ram:DuePayableAmount>177.87<", b"<ram:DuePayableAmount>1x7.87<")
    pdf = generate_from_binary(buffer.getvalue(), xml, check_xsd=False, flavor="factur-x", level="en16931")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    code, _, err = invoke(cli, "import", str(path), "--db", sqlite_url)
    assert code == 2
    flat = err.replace("\n", "")
    assert f"{path}:{line} [DuePayableAmount]" in flat and "(in embedded factur-x.xml)" in flat
