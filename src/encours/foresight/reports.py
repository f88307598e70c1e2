"""Forecast outputs shared by the CLI and the web app: JSON payloads and per-invoice rows.

JSON shape (one object per currency, a list when there are several)::

    {"as_of": "2026-10-31", "currency": "EUR",
     "model": {"knowledge_before": "2026-11-01", "prior": false},
     "weeks": [{"week": 1, "start": "2026-11-01", "end": "2026-11-07",
                "expected": "1234.56", "p10": "800.00", "p90": "1700.00"}, ...13],
     "customers": [{"customer_id": "C1", "expected_total": "...", "weeks": [...same shape...]}],
     "invoices": [{"invoice_id", "customer_id", "open_amount", "due_date",
                   "expected_payment_date", "p10", "p90", "p_late"}]}

Dates are null when the payment is not expected within a year. CSV prints the invoices.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy.orm import Session

from encours.domain.money import format_amount, from_cents
from encours.foresight.history import NEVER, day_number, to_date

if TYPE_CHECKING:
    from encours.foresight.forecast import Band, CashForecast


class ForecastReport(NamedTuple):
    payloads: list[dict[str, Any]]
    rows: list[list[Any]]  # INVOICE_HEADER columns, every currency


def _date(day: int) -> str | None:
    return None if day >= NEVER else to_date(day).isoformat()


def money(cents: int) -> str:
    return format_amount(from_cents(int(cents)))


def _weeks(as_of: int, band: Band) -> list[dict[str, Any]]:
    from encours.foresight.forecast import week_starts

    starts = week_starts(as_of)
    return [
        {
            "week": w + 1,
            "start": to_date(starts[w]).isoformat(),
            "end": to_date(starts[w + 1] - 1).isoformat(),
            "expected": money(band.expected[w]),
            "p10": money(band.p10[w]),
            "p90": money(band.p90[w]),
        }
        for w in range(len(band.expected))
    ]


def _invoice_rows(forecast: CashForecast) -> list[list[Any]]:
    import numpy as np

    inv = forecast.invoices
    h = inv.history
    order = np.lexsort((h.invoice_id, h.customer_id))
    return [
        [
            str(h.invoice_id[i]),
            str(h.customer_id[i]),
            money(inv.open_cents[i]),
            to_date(h.due[i]).isoformat(),
            _date(inv.expected_day[i]) or "",
            _date(inv.p10_day[i]) or "",
            _date(inv.p90_day[i]) or "",
            f"{inv.p_late[i]:.4f}",
        ]
        for i in order
    ]


INVOICE_HEADER = [
    "invoice_id",
    "customer_id",
    "open_amount",
    "due_date",
    "expected_payment_date",
    "p10",
    "p90",
    "p_late",
]


def _payload(forecast: CashForecast, currency: str, knowledge_before: int, prior: bool) -> dict[str, Any]:
    invoices = [
        dict(zip(INVOICE_HEADER, row, strict=True)) | {"p_late": float(row[-1])}
        for row in _invoice_rows(forecast)
    ]
    for item in invoices:
        for key in ("expected_payment_date", "p10", "p90"):
            item[key] = item[key] or None
    return {
        "as_of": to_date(forecast.as_of).isoformat(),
        "currency": currency,
        "model": {"knowledge_before": to_date(knowledge_before).isoformat(), "prior": prior},
        "weeks": _weeks(forecast.as_of, forecast.total),
        "customers": [
            {
                "customer_id": cid,
                "expected_total": money(band.expected.sum()),
                "weeks": _weeks(forecast.as_of, band),
            }
            for cid, band in sorted(forecast.customers.items())
        ],
        "invoices": invoices,
    }


def forecast_report(session: Session, as_of: dt.date) -> ForecastReport:
    """Predict every open invoice at the end of ``as_of`` (training the model when stale)."""
    from encours.foresight.forecast import cash_forecast
    from encours.foresight.service import model_for, read_ledger

    ledger = read_ledger(session)
    choice = model_for(session, ledger, as_of)
    currencies = sorted(set(ledger.history.currency.tolist())) or ["EUR"]
    payloads = []
    rows = []
    for currency in currencies:
        forecast = cash_forecast(
            choice.model, ledger.history, ledger.allocations, day_number(as_of), currency, ledger.reminders
        )
        payloads.append(_payload(forecast, currency, choice.model.knowledge_before, choice.model.is_prior))
        rows += _invoice_rows(forecast)
    return ForecastReport(payloads, rows)
