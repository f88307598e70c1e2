"""KPIs from a few set-wise aggregates; the formulas live in the domain."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from encours.analytics.kpi_assembly import DOUBTFUL_AFTER_DAYS, Totals, kpis_from_aggregates
from encours.analytics.open_items import with_open_items
from encours.analytics.runner import SqlRunner
from encours.data_files import user_or_shipped
from encours.domain.kpi import Kpis
from encours.domain.kpi_alerts import Threshold, parse_thresholds

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

# totals of documents (sales per day), not open amounts
DAILY_SALES_SQL = """
SELECT currency, date, SUM(amount_cents) AS cents
FROM entries
WHERE kind IN ('invoice', 'credit_note') AND date <= :as_of
GROUP BY currency, date
"""


def _totals(runner: SqlRunner, as_of: dt.date) -> dict[str, Totals]:
    params = {"as_of": as_of, "doubtful_before": as_of - dt.timedelta(days=DOUBTFUL_AFTER_DAYS)}
    found: dict[str, Totals] = {}
    for currency, *sums in runner.rows(TOTALS_SQL, params):
        outstanding, overdue, positive, current, doubtful = (int(v or 0) for v in sums)
        found[currency] = (outstanding, overdue, positive, current, doubtful)
    return found


def _daily_sales(runner: SqlRunner, as_of: dt.date) -> dict[str, dict[dt.date, int]]:
    by_currency: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for currency, day, cents in runner.rows(DAILY_SALES_SQL, {"as_of": as_of}):
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        by_currency[currency][day] = int(cents)
    return by_currency


def kpis(runner: SqlRunner, as_of: dt.date, default_currency: str = "EUR") -> list[Kpis]:
    """KPIs per currency (SPEC §5), ordered by currency."""
    now = _totals(runner, as_of)
    before = _totals(runner, as_of - dt.timedelta(days=30))
    sales = _daily_sales(runner, as_of)
    return kpis_from_aggregates(as_of, now, before, sales, default_currency)


def load_thresholds(data_dir: Path | None) -> tuple[Threshold, ...]:
    """The user's thresholds file in the data directory, else the shipped defaults."""
    return parse_thresholds(user_or_shipped("kpi_thresholds.toml", data_dir).read_text())
