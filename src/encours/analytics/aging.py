"""Aged balance computed set-wise: GROUP BYs over the entries and the allocations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from encours.analytics.runner import SqlRunner
from encours.analytics.sql import DOCUMENTS, SETTLEMENTS
from encours.domain.aging import DEFAULT_BUCKETS, AgedBalance, AgedRow, Bucket

ZERO = Decimal("0.00")


def amount(cents: int) -> Decimal:
    """Same value and exponent as ``money.from_cents``, without dividing (many rows to convert)."""
    return Decimal(cents).scaleb(-2) if cents else ZERO


def bucket_thresholds(buckets: Sequence[Bucket], as_of: dt.date) -> list[dt.date]:
    """Earliest aging date of every bucket but the last (which is unbounded)."""
    return [bucket.due_date_range(as_of)[0] for bucket in buckets[:-1]]  # type: ignore[misc]


def bucket_sums(bucket_count: int) -> str:
    """SUM per bucket; bucket i holds aging dates in [t_i, t_{i-1})."""
    columns = []
    for index in range(bucket_count):
        conditions = []
        if index < bucket_count - 1:
            conditions.append(f"aging_date >= :t{index}")
        if index > 0:
            conditions.append(f"aging_date < :t{index - 1}")
        columns.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN cents ELSE 0 END) AS b{index}")
    return ", ".join(columns)


def aging_sql(bucket_count: int) -> str:
    """Open amounts are linear, so entries and settlements are summed apart, then added.

    The entries are read once without joining anything (an index on customer, currency and
    dates serves it in order); only allocations are joined to their entries; customers are
    joined to the aggregated balances, not to every item.
    """
    sums = bucket_sums(bucket_count)
    names = [f"b{i}" for i in range(bucket_count)]
    # BIGINT: PostgreSQL sums bigints as numeric, which the driver would turn into Decimals
    totals = ", ".join(f"CAST(SUM({name}) AS BIGINT) AS {name}" for name in names)
    return f"""
WITH documents AS (
    SELECT customer_pk, currency, {sums} FROM ({DOCUMENTS}) d GROUP BY customer_pk, currency
),
settlements AS (
    SELECT customer_pk, currency, {sums} FROM ({SETTLEMENTS}) s GROUP BY customer_pk, currency
),
balances AS (
    SELECT customer_pk, currency, {totals} FROM (
        SELECT customer_pk, currency, {", ".join(names)} FROM documents
        UNION ALL
        SELECT customer_pk, currency, {", ".join(names)} FROM settlements
    ) parts GROUP BY customer_pk, currency
)
SELECT c.customer_id, c.name, b.currency, {", ".join(f"b.{name}" for name in names)}
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
