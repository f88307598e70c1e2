"""Foresight on screens: 13-week cash-in forecast, customer priority, stored risk scores.

Calls foresight's services (model, forecast, priority) and caches their results per ledger
state, like the other whole-ledger figures; a failure there never breaks a page.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from encours.domain.money import format_amount, from_cents
from encours.foresight import priority
from encours.foresight.forecast import cash_forecast, week_starts
from encours.foresight.history import day_number, to_date
from encours.foresight.repository import ForesightRepository
from encours.foresight.service import model_for, read_ledger
from encours.web.cache import ledger_fingerprint
from encours.web.figures import Figures

log = logging.getLogger(__name__)

FORECAST = TypeAdapter(list[dict[str, Any]])
PRIORITY = TypeAdapter(list[priority.CustomerPriority])


def within_limit(session: Session, figures: Figures) -> bool:
    """Above ``figures.foresight_max_entries`` ledger entries the web app does not train foresight's
    model itself (on 1M items it needs minutes and over 20 GB): `encours forecast` / `encours
    score` run it offline."""
    highest_entry_id = ledger_fingerprint(session)[0] or 0  # read once per request anyway
    return int(highest_entry_id) <= figures.foresight_max_entries


def _forecast(session: Session, as_of: dt.date) -> list[dict[str, Any]]:
    ledger = read_ledger(session)
    if not len(ledger.history.customer_id):
        return []
    choice = model_for(session, ledger, as_of)
    starts = [to_date(d).isoformat() for d in week_starts(day_number(as_of))[:-1]]
    out = []
    for currency in sorted(set(ledger.history.currency.tolist())):
        found = cash_forecast(choice.model, ledger.history, ledger.allocations, day_number(as_of), currency)
        out.append(
            {
                "as_of": as_of.isoformat(),
                "currency": currency,
                "weeks": [
                    {
                        "week_start": start,
                        "expected": format_amount(from_cents(int(e))),
                        "p10": format_amount(from_cents(int(lo))),
                        "p90": format_amount(from_cents(int(hi))),
                    }
                    for start, e, lo, hi in zip(
                        starts, found.total.expected, found.total.p10, found.total.p90, strict=False
                    )
                ],
            }
        )
    return out


def weekly_forecast(session: Session, figures: Figures, as_of: dt.date) -> list[dict[str, Any]] | None:
    """Expected cash-in per week for 13 weeks with its 10–90 % band, per currency; None while
    foresight computes it in the background (training a model takes minutes on big ledgers)."""
    if not within_limit(session, figures):
        return None
    return figures.background(session, "forecast", (as_of,), lambda own: _forecast(own, as_of), FORECAST)


def chart(forecasts: list[dict[str, Any]] | None, currency: str) -> dict[str, Any] | None:
    found = next((f for f in forecasts or [] if f["currency"] == currency), None)
    if found is None or not found["weeks"]:
        return None
    weeks = found["weeks"]
    return {
        "weeks": [w["week_start"] for w in weeks],
        "expected": [w["expected"] for w in weeks],
        "low": [w["p10"] for w in weeks],
        "high": [w["p90"] for w in weeks],
    }


def customer_priority(
    session: Session, figures: Figures, as_of: dt.date, limit: int, excluded: frozenset[str] = frozenset()
) -> list[priority.CustomerPriority] | None:
    """Customers by expected loss avoided (foresight), ``excluded`` left out; None until computed
    in the background."""
    if not within_limit(session, figures):
        return None
    return figures.background(
        session,
        "priority",
        (as_of, limit, tuple(sorted(excluded))),
        lambda own: priority.customers_by_priority(own, as_of, limit=limit, excluded=excluded),
        PRIORITY,
    )


def risk_score(session: Session, customer_id: str, as_of: dt.date, language: str) -> dict[str, Any] | None:
    """The customer's latest stored score on or before ``as_of`` (`encours score` stores them)."""
    found = ForesightRepository(session).latest_score(customer_id, as_of)
    if found is None:
        return None
    key = "en" if language == "en" else "fr"
    return {
        "score": found.score,
        "segment": found.segment,
        "as_of": found.as_of,
        "reasons": [str(r.get(key, r.get("en", ""))) for r in found.reasons if isinstance(r, dict)],
        "recommended_limit": from_cents(found.recommended_credit_limit_cents),
    }
