"""Chart data in the reader's language: bucket names, trace names and number separators.

Figures are cached once for every user; words and separators are applied per request, so a
French page never shows "not_due" or "threshold" and its axes read "1 234,5".
"""

from __future__ import annotations

from typing import Any

from encours.web.ui.i18n import text

SEPARATORS = {"fr": ", ", "en": ".,"}  # plotly: decimal mark, then thousands separator


def localised_charts(charts: dict[str, Any], language: str) -> dict[str, Any]:
    localised = dict(charts)
    aging = charts.get("aging")
    if aging:
        localised["aging"] = {**aging, "labels": [text(label, language) for label in aging["labels"]]}
    localised["words"] = {
        "threshold": text("threshold", language),
        "expected": text("expected_cash_in", language),
        "separators": SEPARATORS.get(language, SEPARATORS["fr"]),
    }
    return localised
