"""Chart data in the reader's language: bucket names, trace names and number separators.

Figures are cached once for every user; words and separators are applied per request, so a
French page never shows "not_due" or "threshold" and its axes read "1 234,5".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date

from encours.web.ui.i18n import locale, text

SEPARATORS = {"fr": ", ", "en": ".,"}  # plotly: decimal mark, then thousands separator


def localised_charts(charts: dict[str, Any], language: str) -> dict[str, Any]:
    localised = dict(charts)
    aging = charts.get("aging")
    if aging:
        localised["aging"] = {**aging, "labels": [text(label, language) for label in aging["labels"]]}
    trend = charts.get("trend")
    if trend and trend.get("dates"):  # month ends: "janv. 2026", not "2026-01-31"
        localised["trend"] = {**trend, "months": [month(day, language) for day in trend["dates"]]}
    localised["words"] = {
        "threshold": text("threshold", language),
        "expected": text("expected_cash_in", language),
        "separators": SEPARATORS.get(language, SEPARATORS["fr"]),
    }
    return localised


def month(day: dt.date | str, language: str) -> str:
    """A month as the reader says it ("janv. 2026", "Jan 2026")."""
    value = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    return str(format_date(value, format="MMM y", locale=locale(language)))
