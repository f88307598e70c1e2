"""Aged balance computed set-wise: one GROUP BY over the open items."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from encours.analytics.runner import SqlRunner
from encours.analytics.sql import with_open_items
from encours.domain.aging import DEFAULT_BUCKETS, AgedBalance, AgedRow, Bucket
from encours.domain.money import from_cents


def bucket_thresholds(buckets: Sequence[Bucket], as_of: dt.date) -> list[dt.date]:
    """Earliest aging date of every bucket but the last (which is unbounded)."""
    return [bucket.due_date_range(as_of)[0] for bucket in buckets[:-1]]  # type: ignore[misc]


def aging_sql(bucket_count: int) -> str:
    """SUM per bucket; bucket i holds aging dates in [t_i, t_{i-1})."""
    columns = []
    for index in range(bucket_count):
        conditions = []
        if index < bucket_count - 1:
            conditions.append(f"aging_date >= :t{index}")
        if index > 0:
            conditions.append(f"aging_date < :t{index - 1}")
        columns.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN open_cents ELSE 0 END) AS b{index}")
    return with_open_items(
        f"""
SELECT c.customer_id, c.name, o.currency, {", ".join(columns)}
FROM open_items o JOIN customers c ON c.id = o.customer_pk
WHERE o.open_cents <> 0
GROUP BY c.customer_id, c.name, o.currency
"""
    )


def aging_params(as_of: dt.date, buckets: Sequence[Bucket]) -> dict[str, Any]:
    params: dict[str, Any] = {"as_of": as_of}
    params.update({f"t{i}": day for i, day in enumerate(bucket_thresholds(buckets, as_of))})
    return params


def aged_balance(
    runner: SqlRunner,
    as_of: dt.date,
    buckets: Sequence[Bucket] = DEFAULT_BUCKETS,
    default_currency: str = "EUR",
) -> list[AgedBalance]:
    """One aged balance per currency, rows ordered by customer id, zero rows left out."""
    rows = runner.rows(aging_sql(len(buckets)), aging_params(as_of, buckets))
    grid: dict[str, list[AgedRow]] = defaultdict(list)
    for customer_id, name, currency, *cents in rows:
        if any(cents):
            grid[currency].append(AgedRow(customer_id, name, tuple(from_cents(int(c)) for c in cents)))
    if not grid:
        grid[default_currency] = []
    return [
        AgedBalance(as_of, currency, tuple(buckets), tuple(sorted(found, key=lambda r: r.customer_id)))
        for currency, found in sorted(grid.items())
    ]
