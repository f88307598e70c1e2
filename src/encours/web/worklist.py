"""The collectors' worklist: foresight's priority when installed, else overdue amount × days late."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.domain.aging import AgedBalance
from encours.web.ledger_views import Figures


class WorkItem(NamedTuple):
    customer_id: str
    name: str
    currency: str
    overdue: Decimal
    priority: float
    reason: str


def _typical_days(balance: AgedBalance) -> list[int]:
    """A representative number of days late per bucket (its middle; 120 for the open-ended one)."""
    out = []
    for bucket in balance.buckets:
        if bucket.high is None:
            out.append(max(120, (bucket.low or 0) + 30))
        elif bucket.high <= 0:
            out.append(0)
        else:
            out.append(((bucket.low or 1) + bucket.high) // 2)
    return out


def fallback_worklist(balances: list[AgedBalance], limit: int) -> list[WorkItem]:
    items = []
    for balance in balances:
        days = _typical_days(balance)
        for row in balance.rows:
            overdue = sum((a for a, d in zip(row.amounts, days, strict=True) if d > 0), Decimal(0))
            weight = sum((a * d for a, d in zip(row.amounts, days, strict=True) if d > 0), Decimal(0))
            if overdue > 0 and weight > 0:
                items.append(
                    WorkItem(
                        row.customer_id, row.name, balance.currency, overdue, float(weight), "overdue × days"
                    )
                )
    items.sort(key=lambda i: (-i.priority, i.customer_id))
    return items[:limit]


def worklist(session: Session, figures: Figures, as_of: dt.date, limit: int = 50) -> list[WorkItem]:
    return fallback_worklist(figures.aging(session, as_of), limit)
