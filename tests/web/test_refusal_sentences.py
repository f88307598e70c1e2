"""The refusals' catalogue: every sentence is French in French, names only values the English
names too, and the English rendered from it is the message the CLI and the API print."""

from __future__ import annotations

import re
import string

import pytest
from tests.web.test_french_only import ENGLISH, WORD

from encours.casework.errors import CaseworkError
from encours.domain.errors import InvalidInput
from encours.domain.refusals import NARROW, SENTENCES, sentence


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_each_french_sentence_has_no_english_word_and_names_only_known_values(code: str) -> None:
    said = SENTENCES[code]
    words = {w.lower() for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", said.french))}
    assert not words & ENGLISH, f"{code}: {sorted(words & ENGLISH)}"
    assert fields(said.french) <= fields(said.english), code
    assert set(said.words) <= fields(said.english), code


def test_a_refusal_keeps_its_english_message_and_says_its_values_in_french() -> None:
    refusal = CaseworkError.because("promise_closed", field="outcome", promise=12, status="broken")
    assert str(refusal) == "outcome: promise 12 is already broken"
    assert refusal.code == "promise_closed" and refusal.params == {"promise": 12, "status": "broken"}
    assert refusal.said_in("fr") == "la promesse 12 est déjà rompue"


def test_french_writes_dates_amounts_and_quoted_values_as_a_french_reader_does() -> None:
    import datetime as dt
    from decimal import Decimal

    assert sentence("nothing_left", {"invoices": ("F1", "F2"), "day": dt.date(2026, 11, 30)}, "fr") == (
        "plus rien à payer sur F1, F2 au 30/11/2026"
    )
    said = sentence("cannot_allocate", {"amount": Decimal("1234.5"), "room": Decimal(0), "invoice": "F1",
                                        "owed": Decimal(10)}, "en")  # fmt: skip
    assert said == "1234.50 cannot be allocated: the receipt has 0.00 left, invoice F1 owes 10.00"
    assert sentence("invalid_amount", {"text": "abc"}, "fr").startswith(
        f"montant illisible «{NARROW}abc{NARROW}»"
    )


def test_a_parser_refusal_retold_for_a_field_keeps_its_code() -> None:
    first = InvalidInput.because("amount_not_positive", text="0")
    retold = CaseworkError.retold(first, field="amount")
    assert retold.field == "amount" and retold.code == first.code and retold.message == first.message
