"""KPIs from aggregates any engine computed (SQL, DuckDB or in-memory columns).

Engines only sum cents; this module turns the sums into ``Kpis`` with the domain formulas,
so every engine gives the same figures by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from encours.domain.kpi import KpiInputs, Kpis, compute_kpis, dso_countback
from encours.domain.money import from_cents

DOUBTFUL_AFTER_DAYS = 180

# (outstanding, overdue, positive open, current, doubtful) in cents, for one currency
Totals = tuple[int, int, int, int, int]
ZERO_TOTALS: Totals = (0, 0, 0, 0, 0)


class DailySales:
    """Sales per day of one currency, to sum over any window without another query."""

    def __init__(self, by_day: Mapping[dt.date, int]) -> None:
        self.by_day = dict(by_day)
        self.earliest = min(self.by_day, default=None)

    def between(self, start: dt.date, end: dt.date) -> Decimal:
        return from_cents(sum(c for day, c in self.by_day.items() if start <= day <= end))

    def last_days(self, as_of: dt.date, days: int) -> Decimal:
        return self.between(as_of - dt.timedelta(days=days - 1), as_of)


def kpis_from_aggregates(
    as_of: dt.date,
    now: Mapping[str, Totals],
    before: Mapping[str, Totals],
    sales: Mapping[str, Mapping[dt.date, int]],
    default_currency: str = "EUR",
) -> list[Kpis]:
    """KPIs per currency (SPEC §5), ordered by currency; ``before`` is 30 days earlier."""
    currencies = sorted(set(now) | set(sales)) or [default_currency]
    results = []
    for currency in currencies:
        outstanding, overdue, positive, current, doubtful = map(from_cents, now.get(currency, ZERO_TOTALS))
        daily = DailySales(sales.get(currency, {}))
        inputs = KpiInputs(
            as_of=as_of,
            currency=currency,
            outstanding=outstanding,
            outstanding_30_days_before=from_cents(before.get(currency, ZERO_TOTALS)[0]),
            overdue=overdue,
            positive_open=positive,
            current=current,
            sales_90_days=daily.last_days(as_of, 90),
            sales_30_days=daily.last_days(as_of, 30),
            doubtful=doubtful,
        )
        countback = dso_countback(outstanding, as_of, daily.between, daily.earliest)
        results.append(compute_kpis(inputs, countback))
    return results
