"""Whom to call first when no payment model is at hand: overdue amounts weighted by lateness.

A customer's weight is the sum, over the past-due buckets of its aged balance, of the amount
in the bucket times the bucket's typical days late; foresight's expected loss avoided
(encours.foresight.priority) replaces it once a model can be trained.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from encours.domain.aging import AgedBalance

OPEN_ENDED_DAYS = 120  # at least, for the last bucket (91+ by default)


class OverduePriority(NamedTuple):
    customer_id: str
    name: str
    currency: str
    overdue: Decimal
    weight: Decimal  # overdue amount × days late, summed over the past-due buckets


def typical_days(balance: AgedBalance) -> list[int]:
    """A representative number of days late per bucket: its middle, 0 when not due."""
    out = []
    for bucket in balance.buckets:
        if bucket.high is None:
            out.append(max(OPEN_ENDED_DAYS, (bucket.low or 0) + 30))
        elif bucket.high <= 0:
            out.append(0)
        else:
            out.append(((bucket.low or 1) + bucket.high) // 2)
    return out


def overdue_priorities(balances: Iterable[AgedBalance], limit: int) -> list[OverduePriority]:
    """Customers with something overdue, heaviest weight first (then by customer id)."""
    found = []
    for balance in balances:
        days = typical_days(balance)
        for row in balance.rows:
            overdue = balance.overdue(row)
            weight = sum((a * d for a, d in zip(row.amounts, days, strict=True) if d > 0), Decimal(0))
            if overdue > 0 and weight > 0:
                found.append(OverduePriority(row.customer_id, row.name, balance.currency, overdue, weight))
    found.sort(key=lambda p: (-p.weight, p.customer_id))
    return found[:limit]
