"""Amounts typed by people: the accepted spellings, and junk or ambiguity refused with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from encours.domain.user_amounts import AmountError, parse_positive_amount, parse_user_amount

SPACES = (" ", "\u00a0", "\u202f")  # space, no-break space, narrow no-break space


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1\u202f234,56", "1234.56"),
        ("12 345 678,9", "12345678.9"),
        ("  42 ", "42"),
        ("0,5", "0.5"),
        ("1.005", None),
        ("1234.500", "1234.500"),
    ],
)
def test_accepted_spellings(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(AmountError, match="at most two decimals"):
            parse_user_amount(text)
    else:
        assert parse_user_amount(text) == Decimal(expected)


def test_negatives_only_where_allowed() -> None:
    assert parse_user_amount("-12.5", negative=True) == Decimal("-12.5")
    with pytest.raises(AmountError, match="must not be negative"):
        parse_user_amount("-12.5")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "invalid amount"),
        ("abc", "invalid amount"),
        ("12abc", "invalid amount"),
        ("1e3", "invalid amount"),
        ("NaN", "invalid amount"),
        ("Infinity", "invalid amount"),
        ("1 23,45", "invalid amount"),  # a group of two is no thousands group
        ("1234 567", "invalid amount"),
        ("1,234.56", "invalid amount"),  # two decimal marks
        ("1.234,56", "invalid amount"),
        ("--1", "invalid amount"),
        (",5", "invalid amount"),
        ("1,234", "ambiguous"),  # English thousands or French decimals
        ("12,500", "ambiguous"),
        ("1.2345", "at most two decimals"),
    ],
)
def test_junk_and_ambiguous_input_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason):
        parse_user_amount(text, negative=True)


def test_positive_amounts_of_forms() -> None:
    assert parse_positive_amount("1 234,56") == Decimal("1234.56")
    for text in ("0", "-3", "1e13", "2000000000000"):
        with pytest.raises(AmountError):
            parse_positive_amount(text)


@given(
    cents=st.integers(min_value=-(10**14), max_value=10**14),
    space=st.sampled_from(SPACES),
    comma=st.booleans(),
)
def test_french_and_plain_spellings_read_back_the_same_amount(cents: int, space: str, comma: bool) -> None:
    amount = Decimal(cents) / 100
    plain = f"{amount:.2f}"
    whole, fraction = plain.lstrip("-").split(".")
    grouped = f"{int(whole):,}".replace(",", space)
    french = f"{'-' if cents < 0 else ''}{grouped}{',' if comma else '.'}{fraction}"
    assert parse_user_amount(plain, negative=True) == amount
    assert parse_user_amount(french, negative=True) == amount
