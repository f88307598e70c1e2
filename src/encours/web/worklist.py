"""The collectors' worklist: foresight's priority when installed, else overdue amount × days late.

Customers handed over to litigation or a collection agency leave it: they are on the
litigation board (``casework.queries.litigation_board``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.casework.queries import handed_over_ids
from encours.domain.aging import AgedBalance
from encours.domain.overdue_priority import overdue_priorities
from encours.ledger.queries import currencies
from encours.web.figures import Figures


class WorkItem(NamedTuple):
    customer_id: str
    name: str
    currency: str
    overdue: Decimal
    priority: float
    reason: str


def fallback_worklist(
    balances: list[AgedBalance], limit: int, excluded: frozenset[str] = frozenset()
) -> list[WorkItem]:
    ranked = [p for p in overdue_priorities(balances, limit + len(excluded)) if p.customer_id not in excluded]
    return [
        WorkItem(p.customer_id, p.name, p.currency, p.overdue, float(p.weight), "overdue × days")
        for p in ranked[:limit]
    ]


def worklist(session: Session, figures: Figures, as_of: dt.date, limit: int = 50) -> list[WorkItem]:
    """Foresight's order (expected loss avoided) when it can be computed, else overdue × days."""
    from encours.web import foresight_views

    excluded = frozenset(handed_over_ids(session, as_of))
    found = foresight_views.customer_priority(session, figures, as_of, limit, excluded)
    if found is None:
        return fallback_worklist(figures.aging(session, as_of), limit, excluded)
    currency = currencies(session, [i.customer_id for i in found])
    return [
        WorkItem(
            i.customer_id,
            i.name,
            currency.get(i.customer_id) or "EUR",
            i.overdue_amount,
            float(i.expected_loss_avoided),
            f"expected loss avoided {i.expected_loss_avoided}; {i.open_invoices} open, "
            f"{i.max_days_overdue} days late" + (f"; segment {i.segment}" if i.segment else ""),
        )
        for i in found
    ]
