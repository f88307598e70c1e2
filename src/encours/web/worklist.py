"""The collectors' worklist: foresight's priority when installed, else overdue amount × days late."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.domain.aging import AgedBalance
from encours.ledger.models import CustomerRow
from encours.web.figures import Figures


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
            overdue = balance.overdue(row)
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
    """Foresight's order (expected loss avoided) when it can be computed, else overdue × days."""
    from encours.web import foresight_views

    found = foresight_views.worklist(session, figures, as_of, limit)
    if found is None:
        return fallback_worklist(figures.aging(session, as_of), limit)
    currencies = dict(
        session.execute(select(CustomerRow.customer_id, CustomerRow.currency).where(
            CustomerRow.customer_id.in_([i.customer_id for i in found])
        )).all()
    )  # fmt: skip
    return [
        WorkItem(
            i.customer_id,
            i.name,
            currencies.get(i.customer_id) or "EUR",
            i.overdue_amount,
            float(i.expected_loss_avoided),
            f"expected loss avoided {i.expected_loss_avoided}; {i.open_invoices} open, "
            f"{i.max_days_overdue} days late" + (f"; segment {i.segment}" if i.segment else ""),
        )
        for i in found
    ]
