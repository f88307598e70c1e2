"""Refusals in the user's words: a stable code, its values, and one sentence per language.

An ``EncoursError`` raised with :meth:`EncoursError.because` carries a code of this catalogue
and the values it names; its English message (the CLI's and the API's) is rendered from the
same sentence as the French a French page shows, so the two never drift apart. The words are
gathered from one module per area of this package (``SENTENCES``), as screen texts are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from encours.domain.money import format_amount
from encours.domain.punctuation import NARROW, spaced
from encours.domain.refusals import casework, cash, inputs, jobs, people, workspace

Value = str | int | Decimal | dt.date | tuple[str, ...]
QUOTED = re.compile(r"\{(\w+)!r\}")


class Sentence(NamedTuple):
    """A refusal's French and English sentences (``str.format`` fields name its values).

    ``words`` translates values that are words of the interface (a status, a kind): for each
    value's name, its English word and the French one.
    """

    french: str
    english: str
    words: Mapping[str, Mapping[str, str]] = {}


def _gather() -> dict[str, Sentence]:
    found: dict[str, Sentence] = {}
    for module in (casework, cash, inputs, jobs, people, workspace):
        for code, pair in module.SENTENCES.items():
            if code in found:
                raise RuntimeError(f"refusal {code!r} defined twice (in {module.__name__})")
            found[code] = Sentence(*pair)
    return found


SENTENCES = _gather()


def _french_amount(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", NARROW).replace(".", ",")


def _value(value: Value, language: str, words: Mapping[str, str]) -> str:
    if isinstance(value, tuple):  # sentences follow one another, names are listed
        joiner = " " if all(str(v).endswith((".", "!", "?")) for v in value) else ", "
        return joiner.join(_value(v, language, words) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat() if language == "en" else value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format_amount(value) if language == "en" else _french_amount(value)
    if isinstance(value, str) and language != "en":
        return words.get(value, value)
    return str(value)


def sentence(code: str, params: Mapping[str, Value], language: str) -> str:
    """The refusal ``code`` with its values, in ``language`` (``fr`` or ``en``)."""
    said = SENTENCES[code]
    # French quotes a typed value in guillemets where the English shows it as Python's repr
    template = said.english if language == "en" else QUOTED.sub(r"« {\1} »", said.french)
    shown = {name: _value(v, language, said.words.get(name, {})) for name, v in params.items()}
    return spaced(template.format(**shown), language)


def json_params(params: Mapping[str, Value]) -> dict[str, object]:
    """The values as JSON gives them to API clients (amounts as strings, dates in ISO form)."""
    shown: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, Decimal):
            shown[name] = format_amount(value)
        elif isinstance(value, dt.date):
            shown[name] = value.isoformat()
        elif isinstance(value, tuple):
            shown[name] = list(value)
        else:
            shown[name] = value
    return shown
