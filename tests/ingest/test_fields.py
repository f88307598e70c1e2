"""Field parsers shared by every importer: what they accept and the reason they give."""

from __future__ import annotations

import pytest

from encours.ingest.fields import parse_currency


@pytest.mark.parametrize(("text", "code"), [("eur", "EUR"), (" USD ", "USD"), ("chf", "CHF")])
def test_currency_codes_are_upper_cased(text: str, code: str) -> None:
    assert parse_currency(text) == code


@pytest.mark.parametrize("text", ["ÉUR", "EU", "EURO", "E1R", ""])
def test_currency_must_be_three_ascii_letters(text: str) -> None:
    with pytest.raises(ValueError, match="invalid currency"):
        parse_currency(text)
