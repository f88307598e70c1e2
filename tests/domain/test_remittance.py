"""Who paid, the pure rules cash application builds on: invoice numbers in the remittance,
identifiers, the debtor's name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from encours.domain.records import Customer, Entry, EntryKind
from encours.domain.remittance import (
    customer_by_identifier,
    customer_by_name,
    invoice_candidates,
    normalise_name,
    payer_from_invoices,
)


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
