"""Who paid: invoice numbers in the remittance, then the debtor's name, else "unidentified".

Whatever is found, a bank receipt stays an unapplied payment: import never allocates.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES, invoke, query
from typer.testing import CliRunner

from encours.domain.records import Customer, Entry, EntryKind
from encours.domain.remittance import (
    customer_by_identifier,
    customer_by_name,
    invoice_candidates,
    normalise_name,
    payer_from_invoices,
)
from encours.ingest.bank.common import UNIDENTIFIED, UNIDENTIFIED_NAME

MT940 = SAMPLES / "mt940/betterplace-sepa_snippet.sta"
CAMT053 = SAMPLES / "camt053/oca-test-camt053.xml"


def invoice(number: str, customer_id: str, amount: str = "100.00") -> Entry:
    day = dt.date(2024, 1, 1)
    return Entry(f"doc:{number}", customer_id, EntryKind.INVOICE, number, day, day, Decimal(amount))


# -- pure rules ------------------------------------------------------------------------------


def test_candidates_are_number_like_tokens_and_their_parts() -> None:
    found = invoice_candidates("Paiement fact. FA-2024-0012 et f2024/13, réf 12 du 3/5")
    assert "FA-2024-0012" in found and "2024-0012" in found and "0012" in found
    assert "f2024/13" in found and "F2024/13" in found and "f2024" in found
    assert "12" not in found and "3/5" not in found  # too short to name an invoice by chance
    assert "Paiement" not in found and "fact" not in found  # no digit
    assert len(found) == len(set(found))


def test_names_compare_without_case_accents_punctuation_or_legal_form() -> None:
    assert normalise_name("Société Générale S.A.") == normalise_name("SOCIETE GENERALE")
    assert normalise_name("Ma Jolie Boutique SARL") == "ma jolie boutique"
    assert normalise_name("SA") == "sa"  # a name made only of a legal form keeps it
    customers = [Customer("C1", "Dupont & Fils SAS"), Customer("C2", "Durand"), Customer("C3", "DURAND SA")]
    assert customer_by_name("DUPONT ET FILS", customers) == "C1"  # "&" and "et" both drop out
    assert customer_by_name("dupont fils", customers) == "C1"
    assert customer_by_name("Durand", customers) is None  # two customers share it: ambiguous


def test_identifier_quoted_in_the_remittance_names_the_customer() -> None:
    customers = [Customer("C1", "A", siren="552100554"), Customer("C2", "B", vat_number="FR40303265045")]
    assert customer_by_identifier("VIR SIREN 552 100 554 FACTURES MARS", customers) == "C1"
    assert customer_by_identifier("tva fr40303265045", customers) == "C2"
    assert customer_by_identifier("nothing here", customers) is None


def test_payer_is_the_single_customer_of_the_named_invoices() -> None:
    invoices = {"F1": [invoice("F1", "C1")], "F2": [invoice("F2", "C1")], "F9": [invoice("F9", "C9")]}
    assert payer_from_invoices(["F2", "X", "F1", "F2"], invoices) == ("C1", ("F2", "F1"))
    assert payer_from_invoices(["F1", "F9"], invoices) is None  # two customers: a person decides
    assert payer_from_invoices(["nothing"], invoices) is None
    shared = {"F5": [invoice("F5", "C1"), invoice("F5", "C2")]}
    assert payer_from_invoices(["F5"], shared) is None  # one number, two customers
    split = {"F6": [invoice("F6", "C1", "60.00"), invoice("F6", "C1", "40.00")]}
    assert payer_from_invoices(["F6"], split) == ("C1", ("F6",))
    note = invoice("F1", "C1")._replace(kind=EntryKind.CREDIT_NOTE, amount=Decimal(-5))
    assert payer_from_invoices(["F1"], {"F1": [note]}) is None  # only invoices are paid


# -- through the import --------------------------------------------------------------------


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def aging(cli: CliRunner, url: str, as_of: str) -> dict[str, Any]:
    code, out, err = invoke(cli, "aging", "--as-of", as_of, "--format", "json", "--db", url)
    assert code == 0, err
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


def test_receipt_quoting_an_invoice_goes_to_its_customer_and_stays_unapplied(
    cli: CliRunner, tmp_path: Path, db_url: str
) -> None:
    # MT940 line 12: "Strukturierter Verwendungszweck 30030004 DE", 154551.93 EUR on 2007-09-04
    invoices = write(
        tmp_path,
        "invoices.csv",
        "invoice_id,customer_id,issue_date,amount,due_date\n"
        "30030004,KQ,2007-06-01,154551.93,2007-07-01\n"
        "99999999,OTHER,2007-06-01,10.00,2007-07-01\n",
    )
    code, out, err = invoke(cli, "import", str(MT940), str(invoices), "--db", db_url)  # any order
    assert code == 0, err
    found = query(
        db_url,
        "SELECT c.customer_id, e.reference, e.amount_cents, e.kind FROM entries e "
        "JOIN customers c ON c.id = e.customer_pk WHERE e.key LIKE 'bank:%' ORDER BY e.id",
    )
    assert ("KQ", "30030004", -15455193, "payment") in found
    assert [r for r in found if r[0] != UNIDENTIFIED] == [("KQ", "30030004", -15455193, "payment")]
    assert query(db_url, "SELECT COUNT(*) FROM allocations") == [(0,)]
    # at D the invoice is 91 days late and the unapplied payment, dated 09-04, 26 days old
    result = aging(cli, db_url, "2007-09-30")
    kq = next(row for row in result["rows"] if row["customer_id"] == "KQ")
    assert kq["91+"] == "154551.93" and kq["1-30"] == "-154551.93" and kq["total"] == "0.00"
    # the same statement again changes nothing
    code, out, err = invoke(cli, "import", str(MT940), "--db", db_url)
    assert code == 0, err
    assert "entries 0 new, 0 updated, 8 unchanged" in out


def test_debtor_name_matches_a_known_customer(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    customers = write(tmp_path, "customers.csv", "customer_id,name\nM3,3RD PARTY MEDIA B.V.\n")
    code, _, err = invoke(cli, "import", str(customers), str(CAMT053), "--db", sqlite_url)
    assert code == 0, err
    found = query(
        sqlite_url,
        "SELECT c.customer_id, e.amount_cents, e.label FROM entries e "
        "JOIN customers c ON c.id = e.customer_pk",
    )
    assert len(found) == 1 and found[0][:2] == ("M3", -140531)
    assert "3rd party Media" in found[0][2]
    # the catch-all customer is created only when needed
    assert query(sqlite_url, f"SELECT COUNT(*) FROM customers WHERE customer_id = '{UNIDENTIFIED}'") == [(0,)]


def test_unknown_payers_wait_in_the_unidentified_customer(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    code, _, err = invoke(cli, "import", str(CAMT053), "--db", sqlite_url)
    assert code == 0, err
    assert query(sqlite_url, "SELECT customer_id, name FROM customers") == [(UNIDENTIFIED, UNIDENTIFIED_NAME)]
    # a user may rename the catch-all customer or give it a contact: later imports keep that
    renamed = write(
        tmp_path, "c.csv", f"customer_id,name,email\n{UNIDENTIFIED},À trier,tresorerie@example.org\n"
    )
    code, _, err = invoke(cli, "import", str(renamed), "--db", sqlite_url)
    assert code == 0, err
    code, out, err = invoke(cli, "import", str(SAMPLES / "camt054/oca-test-camt054.xml"), "--db", sqlite_url)
    assert code == 0, err
    assert "customers 0 new, 0 updated; entries 1 new" in out
    assert query(sqlite_url, "SELECT customer_id, name, email FROM customers") == [
        (UNIDENTIFIED, "À trier", "tresorerie@example.org")
    ]


def test_a_later_invoice_import_lets_a_reimport_attribute_the_receipt(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    code, _, err = invoke(cli, "import", str(MT940), "--db", sqlite_url)
    assert code == 0, err
    invoices = write(
        tmp_path, "i.csv", "invoice_id,customer_id,issue_date,amount\n50050004,KK,2007-08-01,5.00\n"
    )
    code, _, err = invoke(cli, "import", str(invoices), "--db", sqlite_url)
    assert code == 0, err
    code, out, err = invoke(cli, "import", str(MT940), "--db", sqlite_url)
    assert code == 0, err
    assert "entries 0 new, 1 updated, 7 unchanged" in out
    found = query(
        sqlite_url,
        "SELECT e.reference FROM entries e JOIN customers c ON c.id = e.customer_pk "
        "WHERE c.customer_id = 'KK' AND e.kind = 'payment'",
    )
    assert found == [("50050004",)]


FEC_HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\t"
    "PieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
)


def fec_sale(number: str, aux: str, name: str, amount: str) -> list[str]:
    """The two lines of a sale: the customer's debit and the revenue credit."""
    common = f"VE\tVentes\t1\t20140102\t{{account}}\t{{label}}\t{{aux}}\t{{aux_name}}\t{number}\t20140102\t"
    return [
        common.format(account="411000", label="Clients", aux=aux, aux_name=name)
        + f"Facture {number}\t{amount}\t0,00\t\t\t20140102\t\t",
        common.format(account="706000", label="Prestations", aux="", aux_name="")
        + f"Facture {number}\t0,00\t{amount}\t\t\t20140102\t\t",
    ]


def test_invoices_from_a_fec_are_found_by_their_piece_reference(
    cli: CliRunner, tmp_path: Path, sqlite_url: str
) -> None:
    """FEC entries have content-hash keys: the lookup goes by invoice number, not by key."""
    lines = [FEC_HEADER, *fec_sale("VT2014-0115", "CMEDIA", "Media tiers", "1405,31")]
    fec = write(tmp_path, "FEC.txt", "\n".join(lines) + "\n")
    # the camt sample's only credit, with its remittance quoting the invoice number
    statement = tmp_path / "camt.xml"
    statement.write_text(
        CAMT053.read_text().replace("#RD PARTY MEDIA CUSNO 90782 4210773", "REGLEMENT FACT VT2014-0115"),
        encoding="utf-8",
    )
    code, _, err = invoke(cli, "import", str(statement), str(fec), "--db", sqlite_url)
    assert code == 0, err
    found = query(
        sqlite_url,
        "SELECT c.customer_id, e.reference FROM entries e JOIN customers c ON c.id = e.customer_pk "
        "WHERE e.kind = 'payment'",
    )
    assert found == [("CMEDIA", "VT2014-0115")]
    assert query(sqlite_url, "SELECT COUNT(*) FROM allocations") == [(0,)]
