"""KPIs from a few set-wise aggregates; the formulas live in the domain."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from importlib import resources

from encours.analytics.runner import SqlRunner
from encours.analytics.sql import with_open_items
from encours.domain.kpi import KpiInputs, Kpis, compute_kpis, dso_countback
from encours.domain.kpi_alerts import Threshold, parse_thresholds
from encours.domain.money import from_cents
from encours.settings import data_dir

DOUBTFUL_AFTER_DAYS = 180

TOTALS_SQL = with_open_items(
    """
SELECT currency,
       SUM(open_cents) AS outstanding,
       SUM(CASE WHEN open_cents > 0 AND aging_date < :as_of THEN open_cents ELSE 0 END) AS overdue,
       SUM(CASE WHEN open_cents > 0 THEN open_cents ELSE 0 END) AS positive_open,
       SUM(CASE WHEN aging_date >= :as_of THEN open_cents ELSE 0 END) AS current_ar,
       SUM(CASE WHEN open_cents > 0 AND (disputed OR aging_date < :doubtful_before)
                THEN open_cents ELSE 0 END) AS doubtful
FROM open_items
GROUP BY currency
"""
)

DAILY_SALES_SQL = """
SELECT currency, date, SUM(amount_cents) AS cents
FROM entries
WHERE kind IN ('invoice', 'credit_note') AND date <= :as_of
GROUP BY currency, date
"""

ZERO_TOTALS = (0, 0, 0, 0, 0)


def _totals(runner: SqlRunner, as_of: dt.date) -> dict[str, tuple[int, ...]]:
    params = {"as_of": as_of, "doubtful_before": as_of - dt.timedelta(days=DOUBTFUL_AFTER_DAYS)}
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in runner.rows(TOTALS_SQL, params)}


class DailySales:
    """Sales per day of one currency, to sum over any window without another query."""

    def __init__(self, by_day: dict[dt.date, int]) -> None:
        self.by_day = by_day
        self.earliest = min(by_day, default=None)

    def between(self, start: dt.date, end: dt.date) -> Decimal:
        return from_cents(sum(c for day, c in self.by_day.items() if start <= day <= end))

    def last_days(self, as_of: dt.date, days: int) -> Decimal:
        return self.between(as_of - dt.timedelta(days=days - 1), as_of)


def _daily_sales(runner: SqlRunner, as_of: dt.date) -> dict[str, DailySales]:
    by_currency: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for currency, day, cents in runner.rows(DAILY_SALES_SQL, {"as_of": as_of}):
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        by_currency[currency][day] = int(cents)
    return {currency: DailySales(days) for currency, days in by_currency.items()}


def kpis(runner: SqlRunner, as_of: dt.date, default_currency: str = "EUR") -> list[Kpis]:
    """KPIs per currency (SPEC §5), ordered by currency."""
    now = _totals(runner, as_of)
    before = _totals(runner, as_of - dt.timedelta(days=30))
    sales = _daily_sales(runner, as_of)
    currencies = sorted(set(now) | set(sales)) or [default_currency]
    results = []
    for currency in currencies:
        outstanding, overdue, positive, current, doubtful = map(from_cents, now.get(currency, ZERO_TOTALS))
        daily = sales.get(currency, DailySales({}))
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


def load_thresholds() -> tuple[Threshold, ...]:
    """The user's thresholds file in the data directory, else the shipped defaults."""
    user_file = data_dir() / "kpi_thresholds.toml"
    if user_file.is_file():
        return parse_thresholds(user_file.read_text(encoding="utf-8"))
    shipped = resources.files("encours.data").joinpath("kpi_thresholds.toml")
    return parse_thresholds(shipped.read_text(encoding="utf-8"))
