"""Aged balance (balance âgée): open items placed in buckets of days past due."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from encours.domain.money import format_amount
from encours.domain.records import OpenItem

DEFAULT_BOUNDS = (0, 30, 60, 90)


class Bucket(NamedTuple):
    """Items whose days past due lie in [low, high]; None means unbounded."""

    label: str
    low: int | None
    high: int | None

    @property
    def past_due(self) -> bool:
        """Holds items past their due date (every bucket but not-due)."""
        return self.high is None or self.high > 0

    def due_date_range(self, as_of: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The due dates this bucket holds, so engines compare dates instead of subtracting."""
        earliest = None if self.high is None else as_of - dt.timedelta(days=self.high)
        latest = None if self.low is None else as_of - dt.timedelta(days=self.low)
        return earliest, latest


def buckets_from_bounds(bounds: Sequence[int] = DEFAULT_BOUNDS) -> tuple[Bucket, ...]:
    """``(0, 30, 60, 90)`` gives not_due, 1-30, 31-60, 61-90, 91+."""
    if list(bounds) != sorted(set(bounds)) or not bounds:
        raise ValueError("bucket bounds must be strictly increasing")
    result = [Bucket("not_due", None, bounds[0])]
    for low, high in itertools.pairwise(bounds):
        result.append(Bucket(f"{low + 1}-{high}", low + 1, high))
    result.append(Bucket(f"{bounds[-1] + 1}+", bounds[-1] + 1, None))
    return tuple(result)


def parse_bounds(text: str) -> tuple[Bucket, ...]:
    """Buckets from a user's ``0,30,60,90`` option."""
    try:
        return buckets_from_bounds([int(part) for part in text.split(",") if part.strip()])
    except ValueError as exc:
        raise ValueError(f"invalid bucket bounds {text!r}: {exc}") from exc


DEFAULT_BUCKETS = buckets_from_bounds()


def bucket_index(days_past_due: int, buckets: Sequence[Bucket]) -> int:
    for index, bucket in enumerate(buckets):
        if (bucket.low is None or days_past_due >= bucket.low) and (
            bucket.high is None or days_past_due <= bucket.high
        ):
            return index
    raise ValueError(f"no bucket for {days_past_due} days")  # pragma: no cover


class AgedRow(NamedTuple):
    customer_id: str
    name: str
    amounts: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal(0))


class AgedBalance(NamedTuple):
    as_of: dt.date
    currency: str
    buckets: tuple[Bucket, ...]
    rows: tuple[AgedRow, ...]

    @property
    def totals(self) -> tuple[Decimal, ...]:
        return tuple(sum((row.amounts[i] for row in self.rows), Decimal(0)) for i in range(len(self.buckets)))

    @property
    def total(self) -> Decimal:
        return sum(self.totals, Decimal(0))

    def overdue(self, row: AgedRow) -> Decimal:
        """The row's amounts in the buckets past due."""
        return sum((a for a, b in zip(row.amounts, self.buckets, strict=True) if b.past_due), Decimal(0))

    def to_json(self) -> dict[str, object]:
        labels = [bucket.label for bucket in self.buckets]

        def amounts(total: Decimal, values: Iterable[Decimal]) -> dict[str, str]:
            out = {"total": format_amount(total)}
            out.update(zip(labels, map(format_amount, values), strict=True))
            return out

        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "buckets": labels,
            "rows": [
                {"customer_id": row.customer_id, "name": row.name, **amounts(row.total, row.amounts)}
                for row in self.rows
            ],
            "totals": amounts(self.total, self.totals),
        }


def age_open_items(
    items: Iterable[OpenItem],
    as_of: dt.date,
    names: Mapping[str, str],
    buckets: Sequence[Bucket] = DEFAULT_BUCKETS,
) -> list[AgedBalance]:
    """Reference aged balance, one per currency; the SQL engine must give the same figures."""
    grid: dict[str, dict[str, list[Decimal]]] = defaultdict(dict)
    for item in items:
        days = (as_of - item.entry.aging_date).days
        row = grid[item.entry.currency].setdefault(item.entry.customer_id, [Decimal(0)] * len(buckets))
        row[bucket_index(days, buckets)] += item.open_amount
    return [
        AgedBalance(
            as_of,
            currency,
            tuple(buckets),
            tuple(
                AgedRow(cid, names.get(cid, cid), tuple(amounts))
                for cid, amounts in sorted(rows.items())
                if any(amounts)
            ),
        )
        for currency, rows in sorted(grid.items())
    ]
