"""The interface cash application builds on: unmatched credits, decisions, the payment link.

A matched credit reaches receivables only as the ledger payment linked to it; unlinking it
puts it back among the unidentified receipts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.bank.conftest import CAMT053, CAMT054, mt940, write
from tests.conftest import invoke, query
from typer.testing import CliRunner

from encours.bank.queries import unidentified_receipts
from encours.bank.repository import BankRepository
from encours.domain.bank import TransactionKind, TransactionStatus, payment_key
from encours.domain.errors import Conflict, NotFound
from encours.storage.database import get_engine, unit_of_work


@pytest.fixture
def journal(cli: CliRunner, tmp_path: Path, db_url: str) -> Iterator[str]:
    """The two camt samples and a statement with a debit imported; an invoice and the payment
    that cash application would have made for a receipt, in the ledger."""
    invoices = write(
        tmp_path, "i.csv", "invoice_id,customer_id,issue_date,amount\nF1,BCV,2017-03-01,2187.00\n"
    )
    payments = write(tmp_path, "p.csv", "payment_id,customer_id,date,amount\nP1,BCV,2017-03-22,2187.00\n")
    charges = [("170322", "-4.00", "FRAIS")]
    debit = write(tmp_path, "d.sta", mt940("FR7630001007941234567890185", "10.00", charges, "6.00"))
    for path in (invoices, payments, CAMT053, CAMT054, debit):
        code, _, err = invoke(cli, "import", str(path), "--db", db_url)
        assert code == 0, err
    yield db_url


def session(url: str) -> Iterator[Session]:
    with unit_of_work(get_engine(url)) as opened:
        yield opened


def test_unmatched_credits_up_to_a_date(journal: str) -> None:
    for opened in session(journal):
        bank = BankRepository(opened)
        every = bank.unmatched_credits()
        # oldest first; the two CHF credits of one day in the order they were imported
        assert [(t.booking_date, t.amount) for t in every] == [
            (dt.date(2017, 3, 22), Decimal("2187.00")),
            (dt.date(2017, 3, 22), Decimal("1296.00")),
            (dt.date(2022, 1, 26), Decimal("5.00")),
        ]
        assert all(t.kind is TransactionKind.CUSTOMER_CREDIT and t.amount > 0 for t in every)
        assert [t.amount for t in bank.unmatched_credits(dt.date(2017, 12, 31))] == [
            t.amount for t in every[:2]
        ]
        assert bank.unmatched_credits(dt.date(2017, 3, 21)) == []


def test_match_link_and_undo(journal: str, cli: CliRunner) -> None:
    for opened in session(journal):
        bank = BankRepository(opened)
        credit = next(t for t in bank.unmatched_credits() if t.amount == Decimal("2187.00"))
        [(entry_id,)] = query(journal, "SELECT id FROM entries WHERE key = 'pay:P1'")
        # a suggestion waits for a person and stays out of the matched ones
        suggested = bank.mark(credit.id, TransactionStatus.SUGGESTED, customer_id="BCV", reason="amount")
        assert (suggested.status, suggested.customer_id, suggested.reason) == ("suggested", "BCV", "amount")
        assert credit.id not in {t.id for t in bank.unmatched_credits()}
        both = (TransactionStatus.UNMATCHED, TransactionStatus.SUGGESTED)
        assert credit.id in {t.id for t in bank.unmatched_credits(statuses=both)}
        linked = bank.link_payment(credit.id, entry_id, customer_id="BCV", reason="invoice F1 quoted")
        assert (linked.status, linked.payment_entry_id) == (TransactionStatus.MATCHED, entry_id)
        assert bank.by_payment(entry_id) == linked
        with pytest.raises(Conflict):
            bank.mark(credit.id, TransactionStatus.IGNORED)  # unlink first
        assert bank.unlink_payment(credit.id, reason="wrong customer") == entry_id
        back = bank.get(credit.id)
        assert (back.status, back.customer_id, back.payment_entry_id) == ("unmatched", None, None)
        assert back.reason == "wrong customer"
        with pytest.raises(NotFound):
            bank.get(999_999)
        assert payment_key(credit.id) == f"bank:{credit.id}"


def test_only_customer_credits_can_be_linked(journal: str) -> None:
    for opened in session(journal):
        bank = BankRepository(opened)
        sql = "SELECT id, kind, status FROM bank_transactions WHERE amount_cents < 0"
        [(debit_id, kind, status)] = query(journal, sql)
        assert (kind, status) == ("debit", "ignored")  # never waits for cash application
        [(entry_id,)] = query(journal, "SELECT id FROM entries WHERE key = 'pay:P1'")
        credit = bank.unmatched_credits()[0]
        with pytest.raises(Conflict):
            bank.link_payment(credit.id, entry_id, customer_id="BCV", status=TransactionStatus.SUGGESTED)
        with pytest.raises(Conflict):
            bank.link_payment(debit_id, entry_id, customer_id="BCV")
        # a receipt already in the ledger is the same money: linked to it as a duplicate
        same = bank.link_payment(credit.id, entry_id, customer_id="BCV", status=TransactionStatus.DUPLICATE)
        assert same.status is TransactionStatus.DUPLICATE
        assert credit.id not in {t.id for t in bank.unmatched_credits()}


def test_cash_unmatched_lists_the_suspense_receipts(journal: str, cli: CliRunner) -> None:
    code, out, err = invoke(cli, "cash", "unmatched", "--format", "json", "--db", journal)
    assert code == 0, err
    document = json.loads(out)
    assert [(r["date"], r["amount"], r["currency"], r["account"]) for r in document["receipts"]][-1] == (
        "2022-01-26",
        "5.00",
        "EUR",
        "NL77ABNA0574908765",
    )
    first = document["receipts"][0]
    assert first["payer"] == "Banque Cantonale Vaudoise" and "3023882920000" in first["remittance"]
    assert document["totals"] == [
        {"currency": "CHF", "count": 2, "amount": "3483.00"},
        {"currency": "EUR", "count": 1, "amount": "5.00"},
    ]
    code, out, _ = invoke(cli, "cash", "unmatched", "--as-of", "2020-01-01", "--db", journal)
    assert code == 0 and "Unidentified receipts: 2, 3483.00 CHF" in out
    # the receipts are outside the aged balance: it holds the invoice only
    code, out, _ = invoke(cli, "aging", "--as-of", "2022-12-31", "--format", "json", "--db", journal)
    assert json.loads(out)["totals"]["total"] == "0.00"  # F1 and P1: the bank lines add nothing
    for opened in session(journal):
        assert len(unidentified_receipts(opened)) == 3
