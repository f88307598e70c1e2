"""The dashboard's figures: KPIs with their alerts, top overdue customers, the aging chart,
the 12-month DSO trend, the 13-week cash-in forecast, and the dunning deliveries that failed.

The summary is computed once per ledger state and shared by the server's processes (it is
small); the trend and the forecast fill in from the background.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from encours.analytics.kpi import load_thresholds
from encours.domain.aging import AgedBalance
from encours.domain.kpi import Kpis
from encours.domain.kpi_alerts import KpiAlert, evaluate
from encours.dunning.service import failed_deliveries
from encours.web import foresight_views
from encours.web.figures import Figures


class AgingChart(NamedTuple):
    labels: list[str]
    values: list[str]  # decimal amounts as text, for the chart's JSON
    currency: str


class Summary(NamedTuple):
    kpis: list[Kpis]
    alerts: list[KpiAlert]
    top: list[tuple[str, str, Decimal]]  # customer id, name, overdue amount
    currency: str  # of the first KPI set: the currency of the charts
    dso_line: float | None  # the DSO warning threshold drawn on the trend
    aging_chart: AgingChart


SUMMARY = TypeAdapter(Summary)
TOP = 10


def overdue_customers(balance: AgedBalance) -> list[tuple[str, str, Decimal]]:
    """Customers by overdue amount (every bucket past due), largest first."""
    rows = [(r.customer_id, r.name, balance.overdue(r)) for r in balance.rows]
    return sorted((r for r in rows if r[2] > 0), key=lambda r: (-r[2], r[0]))


def summary(session: Session, figures: Figures, as_of: dt.date, data_dir: Path) -> Summary:
    balances = figures.aging(session, as_of)
    results = figures.kpis(session, as_of)
    try:
        thresholds = load_thresholds(data_dir)
    except ValueError:
        thresholds = ()
    currency = results[0].currency
    aging_main = next((b for b in balances if b.currency == currency), balances[0])
    return Summary(
        kpis=results,
        alerts=[a for k in results for a in evaluate(k, thresholds)],
        top=overdue_customers(aging_main)[:TOP],
        currency=currency,
        dso_line=next((float(t.warning) for t in thresholds if t.kpi == "dso_countback"), None),
        aging_chart=AgingChart(
            [b.label for b in aging_main.buckets], [str(v) for v in aging_main.totals], currency
        ),
    )


FAILED_SHOWN = 20


def failed_delivery_rows(session: Session) -> dict[str, Any]:
    """Failed deliveries not delivered since (never cached: a credit manager must see them now)."""
    rows = sorted(failed_deliveries(session), key=lambda r: r.id, reverse=True)
    return {
        "count": len(rows),
        "customers": len({r.customer_id for r in rows}),
        "rows": [
            {"customer": r.customer_id, "date": r.as_of, "step": r.step, "reason": r.reason or "",
             "attempts": r.attempts, "amount": r.amount, "currency": r.currency}
            for r in rows[:FAILED_SHOWN]
        ],
    }  # fmt: skip


def dashboard_figures(session: Session, figures: Figures, as_of: dt.date, data_dir: Path) -> dict[str, Any]:
    """What the dashboard template shows, from cached figures; KPI thresholds from ``data_dir``."""
    found = figures.cached(
        session, "summary", (as_of,), lambda: summary(session, figures, as_of, data_dir), SUMMARY
    )
    currency = found.currency
    trend = figures.dso_trend(session, as_of)
    forecasts = foresight_views.weekly_forecast(session, figures, as_of)
    return {
        "kpis": found.kpis,
        "alerts": found.alerts,
        "top": found.top,
        "currency": currency,
        "charts": {
            "aging": found.aging_chart._asdict(),
            "trend": None
            if trend is None
            else {
                "dates": [d.isoformat() for d, k in trend if k.currency == currency],
                "dso": [float(round(k.dso_countback, 1)) for d, k in trend if k.currency == currency],
                "threshold": found.dso_line,
            },
            "forecast": foresight_views.chart(forecasts, currency),
        },
        "forecast_offline": not foresight_views.within_limit(session, figures),
        "failed_deliveries": failed_delivery_rows(session),
    }
