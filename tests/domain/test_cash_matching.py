"""Cash application's rules on small books written inline: each rule, the tolerance, partial
payments, combinations, ambiguity (suggested), duplicates and unknown payers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from encours.domain import creditor_reference as rf
from encours.domain.bank_charges import ChargeTolerance
from encours.domain.cash_matching import (
    BankReceipt,
    CashBook,
    LedgerReceipt,
    OpenInvoice,
    Rule,
    Status,
)
from encours.domain.cash_reasons import REASONS, render
from encours.domain.combinations import combinations
from encours.domain.invoice_numbers import normalise_number
from encours.domain.payers import KnownCustomer, PayerIndex, PayerRule

D = dt.date
IBAN_ACME = "FR7630006000011234567890189"
IBAN_BETA = "DE89370400440532013000"
CUSTOMERS = [
    KnownCustomer("C1", "Acme Industrie SAS", (IBAN_ACME,)),
    KnownCustomer("C2", "Boulangerie Dupont Frères SARL"),
    KnownCustomer("C3", "Beta Logistik GmbH", (IBAN_BETA,)),
]


def inv(number: str, customer: str, amount: str, day: int = 1) -> OpenInvoice:
    date = D(2026, 9, day)
    return OpenInvoice(
        f"k:{number}", number, customer, "EUR", date, date + dt.timedelta(days=30), Decimal(amount)
    )


def receipt(amount: str, text: str = "", payer: str = "", account: str = "", day: int = 20) -> BankReceipt:
    return BankReceipt("R1", D(2026, 10, day), Decimal(amount), "EUR", payer, account, text)


def book(*invoices: OpenInvoice, ledger: tuple[LedgerReceipt, ...] = (), **kw: object) -> CashBook:
    return CashBook(invoices, CUSTOMERS, ledger, **kw)  # type: ignore[arg-type]


def allocated(decision: object) -> list[tuple[str, str, str]]:
    return [(a.invoice_number, str(a.amount), str(a.charge)) for a in decision.allocations]  # type: ignore[attr-defined]


# -- pieces ---------------------------------------------------------------------------------
def test_creditor_references_round_trip_and_catch_typos() -> None:
    printed = rf.invoice_reference("FA  220301")
    assert printed.startswith("RF") and " " in printed
    assert rf.found_in(f"virement {printed} merci") == [
        rf.CreditorReference(rf.Target.INVOICE, "FA220301", False)
    ]
    assert rf.invoice_reference("FA  220301") == rf.invoice_reference(
        "FA-220301"
    )  # deterministic from the id
    typo = printed[:-1] + ("2" if printed[-1] != "2" else "3")
    assert rf.found_in(typo) == []  # the check digits refuse it
    long_id = "X" * 40
    parsed = rf.parse(rf.invoice_reference(long_id))
    assert parsed is not None and parsed.hashed and parsed.body == rf.hashed_body(rf.Target.INVOICE, long_id)
    assert rf.parse(rf.customer_reference("C00001")) == rf.CreditorReference(
        rf.Target.CUSTOMER, "C00001", False
    )


@pytest.mark.parametrize(
    "written", ["FA  220301", "fa-220301", "Facture n° 220301", "FACT 220301", "220301", "INV 000220301"]
)
def test_invoice_numbers_compare_after_normalisation(written: str) -> None:
    assert normalise_number(written) == normalise_number("FA220301") == "220301"


def test_payers_by_account_then_name_accent_case_and_legal_form_insensitive() -> None:
    index = PayerIndex(CUSTOMERS, learned=[("GB33BUKB20201555555555", "C2")])
    assert index.identify("FR76 3000 6000 0112 3456 7890 189", "anything")[0].customer_id == "C1"
    assert index.identify("GB33BUKB20201555555555", "")[0].rule is PayerRule.IBAN  # learned
    found = index.identify("", "BOULANGERIE DUPONT FRERES")
    assert [(p.customer_id, p.rule) for p in found] == [("C2", PayerRule.NAME)]
    assert index.identify("", "ACME INDUSTRIE S.A.S.")[0].customer_id == "C1"
    assert index.identify("", "Totally Unknown Ltd") == []
    assert index.identify("FR7630006000011234567890180", "") == []  # bad check digits: not an account


def test_combinations_are_bounded_and_stop_at_the_second_solution() -> None:
    assert combinations([100, 200, 300], 300, 300).found == ((0, 1),)
    assert len(combinations([100, 200, 300, 100, 200], 300, 300).found) == 2
    exhausted = combinations([1] * 20, 15, 15, budget=10)
    assert not exhausted.complete and exhausted.unique is None


def test_tolerance_is_half_a_percent_capped() -> None:
    tolerance = ChargeTolerance()
    assert tolerance.of(Decimal("150.00")) == Decimal("0.75")
    assert tolerance.of(Decimal("100000.00")) == Decimal("15.00")
    assert tolerance.settles(Decimal("149.50"), Decimal("150.00"))
    assert not tolerance.settles(Decimal("149.00"), Decimal("150.00"))


# -- rules ------------------------------------------------------------------------------------
def test_creditor_reference_first_even_from_another_payer() -> None:
    cash = book(inv("FA220301", "C1", "150.00"), inv("FA220302", "C2", "80.00"))
    decision = cash.decide(
        receipt("80.00", f"paiement {rf.invoice_reference('FA220301')}", account=IBAN_BETA)
    )
    assert decision.status is Status.MATCHED and decision.rule is Rule.CREDITOR_REFERENCE
    assert decision.customer_id == "C1"
    assert allocated(decision) == [("FA220301", "80.00", "0")]  # a partial payment of the referenced one
    assert decision.reasons[0].code == "partial"


def test_customer_reference_then_amount() -> None:
    cash = book(inv("FA1001", "C2", "40.00"), inv("FA1002", "C2", "60.00"))
    decision = cash.decide(receipt("60.00", rf.customer_reference("C2")))
    assert decision.status is Status.MATCHED and allocated(decision) == [("FA1002", "60.00", "0")]


def test_invoice_number_with_spaces_and_prefix_finds_the_invoice() -> None:
    cash = book(inv("FA  220301", "C1", "150.00"), inv("220302", "C1", "150.00"))
    decision = cash.decide(receipt("150.00", "VIR SEPA ACME FACTURE FA 220301"))
    assert decision.status is Status.MATCHED and decision.rule is Rule.INVOICE_NUMBER
    assert allocated(decision) == [("FA  220301", "150.00", "0")]


def test_bank_charges_settle_the_invoice_and_are_booked() -> None:
    cash = book(inv("FA220301", "C1", "150.00"))
    decision = cash.decide(receipt("149.50", "FA220301"))
    assert decision.status is Status.MATCHED and allocated(decision) == [("FA220301", "149.50", "0.50")]
    assert decision.charges == Decimal("0.50")
    assert render(decision.reasons[0]) == "0.50 short, booked as bank charges."
    assert render(decision.reasons[0], "fr") == "0,50 d'écart passés en frais bancaires."
    tighter = book(
        inv("FA220301", "C1", "150.00"), tolerance=ChargeTolerance(Decimal("0.001"), Decimal("15"))
    )
    assert tighter.decide(receipt("149.50", "FA220301", account=IBAN_ACME)).reasons[0].code == "partial"


def test_partial_payment_of_a_named_invoice() -> None:
    cash = book(inv("FA220301", "C1", "150.00"))
    decision = cash.decide(receipt("100.00", "FA220301", payer="ACME INDUSTRIE"))
    assert decision.status is Status.MATCHED and allocated(decision) == [("FA220301", "100.00", "0")]
    assert "50.00 still owed" in render(decision.reasons[0])
    # the number alone, from an unknown payer, with another amount: a person confirms it
    assert cash.decide(receipt("100.00", "FA220301")).status is Status.SUGGESTED


def test_a_mistyped_number_naming_another_invoice_finds_the_one_meant() -> None:
    # sequential numbers: FA220302 (another customer's) is one typo from FA220301
    cash = book(inv("FA220301", "C1", "150.00"), inv("FA220302", "C2", "99.00"))
    decision = cash.decide(receipt("150.00", "FA220302", account=IBAN_ACME))
    assert decision.status is Status.MATCHED and allocated(decision) == [("FA220301", "150.00", "0")]


def test_loose_number_with_a_wrong_amount_is_only_suggested() -> None:
    # "220301" read loosely (no prefix) and an amount that does not settle it: a date or a coincidence?
    cash = book(inv("FA220301", "C1", "150.00"))
    decision = cash.decide(receipt("40.00", "order 220301"))
    assert decision.status is Status.SUGGESTED and decision.reasons[0].code == "unconfirmed_number"
    assert render(decision.reasons[0])


def test_amount_of_one_open_invoice_of_the_identified_payer() -> None:
    cash = book(inv("FA1", "C1", "100.00"), inv("FA2", "C1", "250.00"), inv("FA3", "C2", "250.00"))
    decision = cash.decide(receipt("250.00", "virement", account=IBAN_ACME))
    assert decision.rule is Rule.AMOUNT and allocated(decision) == [("FA2", "250.00", "0")]
    by_name = cash.decide(receipt("250.00", "", payer="DUPONT FRERES BOULANGERIE"))
    assert by_name.status is Status.MATCHED and by_name.customer_id == "C2"


def test_combination_of_open_invoices() -> None:
    cash = book(inv("FA1", "C1", "100.00", 1), inv("FA2", "C1", "70.00", 2), inv("FA3", "C1", "45.00", 3))
    decision = cash.decide(receipt("145.00", "", account=IBAN_ACME))
    assert decision.status is Status.MATCHED and decision.rule is Rule.COMBINATION
    assert sorted(allocated(decision)) == [("FA1", "100.00", "0"), ("FA3", "45.00", "0")]
    assert decision.customer_id == "C1"


def test_ambiguity_is_suggested_with_a_reason() -> None:
    same = book(inv("FA1", "C1", "100.00", 1), inv("FA2", "C1", "100.00", 2))
    decision = same.decide(receipt("100.00", "", account=IBAN_ACME))
    assert decision.status is Status.SUGGESTED and decision.reasons[0].code == "same_amount"
    assert "FA1, FA2" in render(decision.reasons[0])
    combos = book(*(inv(f"FA{i}", "C1", a, i) for i, a in enumerate(["10.00", "20.00", "30.00", "40.00"], 1)))
    decision = combos.decide(receipt("50.00", "", account=IBAN_ACME))
    assert decision.status is Status.SUGGESTED and decision.reasons[0].code == "several_combinations"
    several = book(inv("FA1001", "C1", "100.00"), inv("FB1001", "C2", "100.00"))
    assert several.decide(receipt("100.00", "FA1001 FB1001")).reasons[0].code == "several_customers"


def test_a_typo_in_the_number_picks_between_equal_amounts() -> None:
    cash = book(inv("FA220301", "C1", "100.00", 1), inv("FA220399", "C1", "100.00", 2))
    decision = cash.decide(receipt("100.00", "FA22O399", account=IBAN_ACME))  # letter O for a zero
    assert decision.status is Status.MATCHED and allocated(decision) == [("FA220399", "100.00", "0")]


def test_number_of_another_customer_than_the_paying_account_is_suggested() -> None:
    cash = book(inv("FA220301", "C2", "150.00"))
    decision = cash.decide(receipt("150.00", "FA220301", account=IBAN_ACME))
    assert decision.status is Status.SUGGESTED and decision.reasons[0].code == "payer_conflict"


def test_duplicate_of_a_ledger_receipt_is_linked_not_counted() -> None:
    fec = LedgerReceipt("fec:abc", "VIR ACME 12/10", "C1", "EUR", D(2026, 10, 17), Decimal("150.00"))
    cash = book(inv("FA220301", "C1", "150.00"), ledger=(fec,))
    decision = cash.decide(receipt("150.00", "FA220301", account=IBAN_ACME))
    assert decision.status is Status.DUPLICATE and decision.duplicate_of == fec and not decision.allocations
    assert "VIR ACME 12/10" in render(decision.reasons[0])
    late = book(inv("FA220301", "C1", "150.00"), ledger=(fec._replace(date=D(2026, 10, 10)),))
    assert late.decide(receipt("150.00", "FA220301", account=IBAN_ACME)).status is Status.MATCHED


def test_one_ledger_receipt_is_the_duplicate_of_one_bank_credit_only() -> None:
    fec = LedgerReceipt("fec:abc", "P1", "C1", "EUR", D(2026, 10, 20), Decimal("100.00"))
    cash = book(inv("FA1", "C1", "100.00"), inv("FA2", "C1", "200.00"), ledger=(fec,))
    first, second = (receipt("100.00", "", account=IBAN_ACME)._replace(receipt_id=r) for r in ("R1", "R2"))
    decisions = cash.apply([first, second])
    assert [d.status for d in decisions] == [Status.DUPLICATE, Status.MATCHED]


def test_unknown_payers_are_unmatched_with_a_reason() -> None:
    cash = book(inv("FA1", "C1", "100.00"))
    decision = cash.decide(receipt("100.00", "loyer octobre", payer="SCI Les Tilleuls"))
    assert decision.status is Status.UNMATCHED and decision.customer_id is None
    assert "SCI Les Tilleuls" in render(decision.reasons[0])
    assert cash.decide(receipt("100.00")).reasons[0].code == "no_payer"


def test_known_account_without_a_matching_invoice_is_left_on_account() -> None:
    cash = book(inv("FA1", "C1", "100.00"))
    decision = cash.decide(receipt("33.00", "", account=IBAN_ACME))
    assert decision.status is Status.MATCHED and decision.rule is Rule.PAYER and not decision.allocations
    assert cash.decide(receipt("33.00", "", payer="Acme Industrie")).status is Status.SUGGESTED


def test_two_receipts_never_settle_the_same_invoice_twice() -> None:
    cash = book(inv("FA1001", "C1", "100.00"))
    first, second = (receipt("100.00", "FA1001")._replace(receipt_id=r) for r in ("R1", "R2"))
    decisions = cash.apply([first, second])
    assert decisions[0].status is Status.MATCHED
    assert decisions[1].status is Status.UNMATCHED and decisions[1].reasons[0].code == "settled_already"


def test_every_reason_has_both_languages_and_no_english_in_french() -> None:
    for code, (french, english) in REASONS.items():
        assert french and english and french != english, code
        assert " the " not in french and " of " not in french, code
