"""French and English typography of letters and e-mails, through Babel: the templates' filters.

- ``money``: ``10 589,42 €`` in French (narrow no-break space between thousands, no-break space
  before the sign), ``€10,589.42`` in English; any ISO 4217 currency.
- ``long_date``: ``1er novembre 2026`` (the French ordinal of the first day), ``1 November 2026``.
- ``short_date``: ``01/11/2026`` in both, for tables (never an ISO date in front of a reader).
- ``days``: ``1 jour`` / ``2 jours``, ``1 day`` / ``2 days`` (the language's plural rules).
- ``percent``: ``12,15 %`` / ``12.15 %``.
- ``country_name``: ``GB`` -> ``Royaume-Uni`` / ``United Kingdom`` (the last line of a foreign address).

``filters(language)`` gives them all, registered in a Jinja environment in one call
(``env.filters.update(filters(language))``); ``longdate`` stays as the old name of ``long_date``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
NO_AMOUNT = "—"


def locale_of(language: str) -> str:
    return LOCALES.get(language, LOCALES["fr"])


def money(amount: Decimal | None, currency: str = "EUR", *, language: str = "fr") -> str:
    """An amount with its currency as a reader of ``language`` writes it, to the cent."""
    if amount is None:
        return NO_AMOUNT
    return str(format_currency(amount, currency, locale=locale_of(language), currency_digits=True))


def long_date(day: dt.date, *, language: str = "fr") -> str:
    """``1er novembre 2026``, ``2 novembre 2026``; ``1 November 2026``."""
    if language == "fr":
        text = str(format_date(day, format="MMMM y", locale=locale_of(language)))
        return f"{'1er' if day.day == 1 else day.day} {text}"
    return str(format_date(day, format="d MMMM y", locale=locale_of(language)))


def short_date(day: dt.date, *, language: str = "fr") -> str:
    """``01/11/2026`` (day, month, year in both French and British use)."""
    return str(format_date(day, format="dd/MM/y", locale=locale_of(language)))


def days(count: int, *, language: str = "fr") -> str:
    """``1 jour``, ``2 jours``; ``1 day``, ``2 days``."""
    return str(format_unit(count, "duration-day", length="long", locale=locale_of(language)))


def percent(rate: Decimal, *, language: str = "fr") -> str:
    """A rate given in percent (``12.15`` is 12.15 %), two decimals."""
    number = format_decimal(rate, format="#,##0.00", locale=locale_of(language))
    return f"{number}\u00a0%"


def country_name(code: str, *, language: str = "fr") -> str:
    """``GB`` -> ``Royaume-Uni`` / ``United Kingdom`` (the code itself when unknown)."""
    found = Locale.parse(locale_of(language)).territories.get(code.upper())
    return str(found) if found else code


def filters(language: str) -> dict[str, Callable[..., str]]:
    """The template filters for ``language`` (``fr`` or ``en``)."""

    def bind(function: Callable[..., str]) -> Callable[..., str]:
        def render(value: Any, *args: Any) -> str:
            return function(value, *args, language=language)

        render.__name__ = function.__name__
        return render

    found = {f.__name__: bind(f) for f in (money, long_date, short_date, days, percent, country_name)}
    found["longdate"] = found["long_date"]
    return found
