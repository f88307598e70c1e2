"""Screen texts in French and English, and locale-aware formatting of money, numbers and dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from encours.domain import punctuation
from encours.domain.punctuation import spaced
from encours.web.ui.texts import TEXTS

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def text(key: str, language: str) -> str:
    pair = TEXTS.get(key)
    if pair is None:
        return key
    return pair[1] if language == "en" else _french(pair[0])


@cache
def _french(said: str) -> str:
    return spaced(said, "fr")


def locale(language: str) -> str:
    return LOCALES.get(language, "fr_FR")


class _MoneyStyle(NamedTuple):
    prefix: str
    suffix: str
    group: str
    decimal: str


@cache
def _money_style(currency: str, language: str) -> _MoneyStyle:
    """Babel's layout for a currency in a locale, read once from a sample (formatting is hot)."""
    sample = str(format_currency(Decimal("1234.56"), currency, locale=locale(language)))
    first, last = sample.index("1"), sample.rindex("6")
    body = sample[first : last + 1]  # e.g. "1 234,56" or "1,234.56"
    return _MoneyStyle(sample[:first], sample[last + 1 :], body[1], body[-3])


def money(amount: Decimal, currency: str, language: str) -> str:
    """Same text as Babel's format_currency, much faster (pages list hundreds of amounts)."""
    style = _money_style(currency, language)
    digits = (
        f"{abs(amount):,.2f}".replace(",", "\x00").replace(".", style.decimal).replace("\x00", style.group)
    )
    return f"{'-' if amount < 0 else ''}{style.prefix}{digits}{style.suffix}"


@lru_cache(maxsize=8192)  # pages show the same figures and dates again and again; Babel is slow
def number(value: Decimal | float | int | None, language: str, places: int = 1) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=locale(language)))


def percent(value: Decimal | float | int | None, language: str, places: int = 1) -> str:
    """``12,5 %`` (narrow no-break space) in French, ``12.5%`` in English; a dash for no figure."""
    return (
        number(None, language)
        if value is None
        else punctuation.percent(number(value, language, places), language)
    )


@lru_cache(maxsize=8192)
def day(value: dt.date, language: str) -> str:
    return str(
        format_date(value, format="short" if language == "en" else "dd/MM/yyyy", locale=locale(language))
    )
