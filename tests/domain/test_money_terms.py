import datetime as dt
from decimal import Decimal

import pytest

from encours.domain.money import CurrencyMismatch, Money, format_amount, from_cents, round_cents, to_cents
from encours.domain.terms import PaymentTerms, TermsKind


def test_money_sums_exactly_and_refuses_mixed_currencies() -> None:
    total = sum([Money.of("0.10"), Money.of("0.20")])
    assert total == Money(Decimal("0.30"), "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")


def test_rounding_is_half_up_to_the_cent() -> None:
    assert round_cents(Decimal("2.345")) == Decimal("2.35")
    assert round_cents(Decimal("-2.345")) == Decimal("-2.35")
    assert to_cents(Decimal("74.70")) == 7470
    assert from_cents(-12345) == Decimal("-123.45")
    assert format_amount(Decimal("5")) == "5.00"


def test_money_rejects_floats_and_non_numbers() -> None:
    with pytest.raises(TypeError):
        Money.of(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Money.of("abc")


@pytest.mark.parametrize(
    ("kind", "days", "issued", "due"),
    [
        (TermsKind.NET, 30, dt.date(2024, 1, 31), dt.date(2024, 3, 1)),
        (TermsKind.DAYS_END_OF_MONTH, 30, dt.date(2024, 1, 15), dt.date(2024, 2, 29)),
        (TermsKind.END_OF_MONTH_PLUS, 10, dt.date(2024, 1, 15), dt.date(2024, 2, 10)),
        (TermsKind.END_OF_MONTH_PLUS, 45, dt.date(2023, 12, 1), dt.date(2024, 2, 14)),
    ],
)
def test_payment_terms_due_dates(kind: TermsKind, days: int, issued: dt.date, due: dt.date) -> None:
    assert PaymentTerms(kind, days).due_date(issued) == due


def test_default_terms_are_net_30() -> None:
    assert PaymentTerms.net(None).due_date(dt.date(2023, 6, 1)) == dt.date(2023, 7, 1)
