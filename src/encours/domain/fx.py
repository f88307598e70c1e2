"""Exchange rates for credit exposure: a small table as data, converting amounts between currencies.

The table gives, per day, how many units of a currency one euro buys (the ECB's reference rate
convention, EUR itself is 1). Converting on a day uses each currency's latest rate on or before
it; the result is rounded half-up to the cent. A currency with no rate by that day cannot be
converted: the caller says which file to complete, never a silent zero.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from bisect import bisect_right
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from encours.domain.errors import InvalidInput, LedgerError
from encours.domain.money import round_cents

FX_COLUMNS = ("date", "currency", "per_eur")
BASE = "EUR"


class MissingRate(InvalidInput):
    """No rate for a currency on or before the day of a conversion."""


class FxTable(NamedTuple):
    """currency → ((day, units per euro), ...) in date order; immutable."""

    source: str
    rates: dict[str, tuple[tuple[dt.date, Decimal], ...]]

    def per_eur(self, currency: str, on: dt.date) -> Decimal:
        if currency == BASE:
            return Decimal(1)
        found = self.rates.get(currency, ())
        index = bisect_right([day for day, _ in found], on)
        if index == 0:
            raise MissingRate.because(
                "fx_missing_rate", field="currency", currency=currency, day=on, source=self.source
            )
        return found[index - 1][1]

    def convert(self, amount: Decimal, currency: str, to: str, on: dt.date) -> Decimal:
        """``amount`` in ``currency`` expressed in ``to`` at the rates of ``on``, to the cent."""
        if currency == to:
            return amount
        return round_cents(amount / self.per_eur(currency, on) * self.per_eur(to, on))


def parse_fx_table(text: str, source: str) -> tuple[FxTable, list[LedgerError]]:
    """Comment (``#``) and blank lines skipped; errors name the physical line and field."""
    errors: list[LedgerError] = []
    numbered = [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]
    if not numbered:
        return FxTable(source, {}), [LedgerError(source, 0, "", "empty exchange-rate file")]
    header_line, header = numbered[0]
    names = [name.strip() for name in next(csv.reader([header]))]
    missing = [c for c in FX_COLUMNS if c not in names]
    if missing:
        return FxTable(source, {}), [LedgerError(source, header_line, missing[0], "missing column")]
    found: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for number, line in numbered[1:]:
        row = dict(zip(names, (v.strip() for v in next(csv.reader(io.StringIO(line)))), strict=False))
        try:
            day = dt.date.fromisoformat(row.get("date", ""))
        except ValueError:
            errors.append(LedgerError(source, number, "date", f"invalid date {row.get('date')!r}"))
            continue
        currency = row.get("currency", "").upper()
        if len(currency) != 3 or not currency.isalpha():
            errors.append(LedgerError(source, number, "currency", f"invalid currency {currency!r}"))
            continue
        try:
            rate = Decimal(row.get("per_eur", ""))
        except InvalidOperation:
            rate = Decimal(0)
        if not rate.is_finite() or rate <= 0:
            errors.append(LedgerError(source, number, "per_eur", f"invalid rate {row.get('per_eur')!r}"))
            continue
        found.setdefault(currency, []).append((day, rate))
    return FxTable(source, {c: tuple(sorted(v)) for c, v in found.items()}), errors


def parse_ecb_history(text: str, source: str) -> FxTable:
    """The ECB's euro reference rates in the layout the ECB publishes them (``eurofxref-hist.csv``:
    ``Date,USD,JPY,...``, one row per working day, ``N/A`` where a currency has no rate)."""
    rows = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(rows, [])]
    found: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for row in rows:
        if not row or not row[0].strip():
            continue
        day = dt.date.fromisoformat(row[0].strip())
        for currency, value in zip(header[1:], row[1:], strict=False):
            value = value.strip()
            if currency and value and value != "N/A":
                found.setdefault(currency, []).append((day, Decimal(value)))
    return FxTable(source, {c: tuple(sorted(v)) for c, v in found.items()})
