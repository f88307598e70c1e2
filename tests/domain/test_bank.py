"""The pure rules of the bank journal: one identifier per account, the same transaction
recognised across formats, kinds from transaction codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encours.domain.bank import (
    Known,
    SameDayKey,
    TransactionKind,
    balance_problem,
    fingerprint,
    normal_account,
    normal_iban,
    normal_reference,
    pair_with_known,
    with_own_transfers,
)
from encours.ingest.bank.kinds import camt_kind, cfonb_kind, mt940_kind, ofx_kind

K = TransactionKind


def test_an_account_is_its_iban_whatever_the_format_says() -> None:
    iban = "FR7630001007941234567890185"
    assert normal_account(iban) == iban
    assert normal_account("FR76 3000 1007 9412 3456 7890 185") == iban
    assert normal_account("300010079412345678901") == iban  # CFONB: bank, branch, account
    assert normal_account("30001 00794 12345678901 85") == iban  # French OFX, with the RIB key
    assert normal_account("30001 00794 12345678901 99") == "300010079412345678901" + "99"  # wrong key
    assert normal_account("ABNANL2A/NL77ABNA0574908765") == "NL77ABNA0574908765"  # MT940 :25:
    assert normal_account("517852257") == "517852257"  # a bank's own number stays itself
    assert normal_iban("nl46 abna 0499 9987 48") == "NL46ABNA0499998748"
    assert normal_iban("KARL KAUFMANN") == ""


def test_references_compare_without_case_spaces_or_punctuation() -> None:
    assert normal_reference("Fa 2201-03") == normal_reference("FA220103") == "FA220103"
    assert normal_reference("NOTPROVIDED") == normal_reference("NONREF") == ""


def test_the_fingerprint_is_the_same_day_key_and_rank_only() -> None:
    key = SameDayKey("CH1111000000123456789", dt.date(2017, 3, 22), 218700, "CHF")
    assert fingerprint(key, 1) == fingerprint(SameDayKey(*key), 1)
    assert (
        len({fingerprint(key, 1), fingerprint(key, 2), fingerprint(key._replace(amount_cents=-218700), 1)})
        == 3
    )


def known(occurrence: int, family: str = "camt", e2e: str = "", ref: str = "", iban: str = "") -> Known:
    return Known(occurrence, family, e2e, ref, iban)


def test_pairing_a_day_s_lines_with_the_stored_ones() -> None:
    stored = [known(1, ref="A"), known(2, ref="B")]
    # the same file again: each line is its stored self, whatever the order
    assert pair_with_known([known(0, ref="B"), known(0, ref="A")], stored) == [2, 1]
    # another format of the statement, whose references say nothing in common: in order
    assert pair_with_known([known(0, "mt940", ref="X"), known(0, "mt940", ref="Y")], stored) == [1, 2]
    # one more line than stored: new
    assert pair_with_known([known(0, "mt940"), known(0, "mt940"), known(0, "mt940")], stored) == [1, 2, None]
    # same format, another bank reference: another transaction
    assert pair_with_known([known(0, ref="C")], stored) == [None]
    # two end-to-end ids, or two payer IBANs, are two transactions even with one reference
    assert pair_with_known([known(0, e2e="E2"), known(0, iban="DE1")], [known(1, e2e="E1", iban="DE2")]) == [
        None,
        None,
    ]
    assert pair_with_known([known(0, "mt940", e2e="E1")], [known(1, e2e="E1", ref="A")]) == [1]
    # an end-to-end id cut short by another format is the same id; within one format it is not
    assert pair_with_known(
        [known(0, "mt940", e2e="ENDTOENDID0123")], [known(1, e2e="ENDTOENDID012345678")]
    ) == [1]
    assert pair_with_known([known(0, e2e="ENDTOENDID0123")], [known(1, e2e="ENDTOENDID012345678")]) == [None]


def test_statement_balances() -> None:
    assert balance_problem(Decimal("10.00"), Decimal("-4.00"), Decimal("6.00")) is None
    assert balance_problem(Decimal("10.00"), Decimal("-4.00"), Decimal("6.01")) == (
        "closing balance 6.01 differs from opening balance 10.00 + movements -4.00 = 6.00"
    )


def test_own_accounts_make_internal_transfers() -> None:
    own = {"FR7630001007941234567890185"}
    assert with_own_transfers(K.CUSTOMER_CREDIT, "FR7630001007941234567890185", own) is K.OWN_TRANSFER
    assert with_own_transfers(K.DEBIT, "FR7630001007941234567890185", own) is K.OWN_TRANSFER
    assert with_own_transfers(K.INTEREST, "FR7630001007941234567890185", own) is K.INTEREST
    assert with_own_transfers(K.CUSTOMER_CREDIT, "DE14508800500194785000", own) is K.CUSTOMER_CREDIT


ONE = Decimal("1")


@pytest.mark.parametrize(
    "kind,expected",
    [
        (camt_kind(ONE, "PMNT", "RCDT", "ESCT", False), K.CUSTOMER_CREDIT),
        (camt_kind(ONE, "PMNT", "RCDT", "ESCT", True), K.REFUND),
        (camt_kind(-ONE, "PMNT", "RCDT", "ESCT", False), K.DEBIT),
        (camt_kind(ONE, "ACMT", "MCOP", "INTR", False), K.INTEREST),
        (camt_kind(ONE, "PMNT", "ICDT", "RRTN", False), K.REFUND),
        (camt_kind(ONE, "PMNT", "RDDT", "ESDD", False), K.REFUND),
        (camt_kind(ONE, "PMNT", "IDDT", "ESDD", False), K.CUSTOMER_CREDIT),  # our own collection
        (camt_kind(ONE, "CAMT", "ACCB", "SWEP", False), K.OWN_TRANSFER),
        (camt_kind(ONE, "LDAS", "CSLN", "DDWN", False), K.OTHER),
        (camt_kind(ONE, "", "", "", False), K.CUSTOMER_CREDIT),
        (ofx_kind(ONE, "CREDIT", False, "ACME SA"), K.CUSTOMER_CREDIT),
        (ofx_kind(ONE, "INT", False, ""), K.INTEREST),
        (ofx_kind(ONE, "CREDIT", False, "INTEREST PAID"), K.INTEREST),
        (ofx_kind(ONE, "CREDIT", True, "ACME SA"), K.REFUND),
        (ofx_kind(ONE, "POS", False, "SHOP"), K.REFUND),
        (cfonb_kind(ONE, "05", "VIR SEPA ACME SA FA 2201"), K.CUSTOMER_CREDIT),
        (cfonb_kind(ONE, "", "INTERETS CREDITEURS"), K.INTEREST),
        (cfonb_kind(ONE, "", "REMBT FOURNISSEUR"), K.REFUND),
        (cfonb_kind(ONE, "62", "F COMMISSION"), K.REFUND),
        (cfonb_kind(ONE, "", "VIR INTERNE COMPTE EPARGNE"), K.OWN_TRANSFER),
        (mt940_kind(ONE, "NTRF", "166", "", False), K.CUSTOMER_CREDIT),
        (mt940_kind(ONE, "NTRF", "159", "", False), K.REFUND),
        (mt940_kind(ONE, "NINT", "", "", False), K.INTEREST),
        (mt940_kind(ONE, "NTRF", "", "", True), K.REFUND),
    ],
)
def test_kinds_from_transaction_codes(kind: TransactionKind, expected: TransactionKind) -> None:
    assert kind is expected
