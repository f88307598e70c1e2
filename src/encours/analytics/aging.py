"""Aged balance computed set-wise: GROUP BYs over the entries and the allocations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from encours.analytics.open_items import balances_ctes
from encours.analytics.runner import SqlRunner
from encours.domain.aging import DEFAULT_BUCKETS, AgedBalance, AgedRow, Bucket

ZERO = Decimal("0.00")


def amount(cents: int) -> Decimal:
    """Same value and exponent as ``money.from_cents``, without dividing (many rows to convert)."""
    return Decimal(cents).scaleb(-2) if cents else ZERO


def bucket_thresholds(buckets: Sequence[Bucket], as_of: dt.date) -> list[dt.date]:
    """Earliest aging date of every bucket but the last (which is unbounded)."""
    return [bucket.due_date_range(as_of)[0] for bucket in buckets[:-1]]  # type: ignore[misc]


def bucket_sums(bucket_count: int) -> dict[str, str]:
    """Column per bucket; bucket i holds aging dates in [t_i, t_{i-1})."""
    columns = {}
    for index in range(bucket_count):
        conditions = []
        if index < bucket_count - 1:
            conditions.append(f"aging_date >= :t{index}")
        if index > 0:
            conditions.append(f"aging_date < :t{index - 1}")
        columns[f"b{index}"] = f"CASE WHEN {' AND '.join(conditions)} THEN cents ELSE 0 END"
    return columns


def aging_sql(bucket_count: int) -> str:
    """Per-customer open balances by bucket (the movement form); customers are joined to the
    aggregated balances, not to every item."""
    names = ", ".join(f"b.b{i}" for i in range(bucket_count))
    return f"""
WITH {balances_ctes(bucket_sums(bucket_count))}
SELECT c.customer_id, c.name, b.currency, {names}
FROM balances b JOIN customers c ON c.id = b.customer_pk
"""


def aging_params(as_of: dt.date, buckets: Sequence[Bucket]) -> dict[str, Any]:
    params: dict[str, Any] = {"as_of": as_of}
    params.update({f"t{i}": day for i, day in enumerate(bucket_thresholds(buckets, as_of))})
    return params


def assemble(
    rows: Iterable[Sequence[Any]],
    as_of: dt.date,
    buckets: Sequence[Bucket],
    default_currency: str = "EUR",
) -> list[AgedBalance]:
    """Rows of (customer_id, name, currency, cents per bucket...) into aged balances."""
    grid: dict[str, list[AgedRow]] = defaultdict(list)
    for customer_id, name, currency, *cents in rows:
        if any(cents):
            grid[currency].append(AgedRow(customer_id, name, tuple([amount(int(c)) for c in cents])))
    if not grid:
        grid[default_currency] = []
    return [
        AgedBalance(as_of, currency, tuple(buckets), tuple(sorted(found, key=lambda r: r.customer_id)))
        for currency, found in sorted(grid.items())
    ]


def aged_balance(
    runner: SqlRunner,
    as_of: dt.date,
    buckets: Sequence[Bucket] = DEFAULT_BUCKETS,
    default_currency: str = "EUR",
) -> list[AgedBalance]:
    """One aged balance per currency, rows ordered by customer id, zero rows left out."""
    rows = runner.rows(aging_sql(len(buckets)), aging_params(as_of, buckets))
    return assemble(rows, as_of, buckets, default_currency)
