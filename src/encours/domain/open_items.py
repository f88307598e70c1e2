"""Open items at a date, the reference rule every set-wise engine must agree with."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from encours.domain.records import Allocation, Entry, OpenItem


def open_items(entries: Iterable[Entry], allocations: Iterable[Allocation], as_of: dt.date) -> list[OpenItem]:
    """Items open at ``as_of``: later documents are ignored, later allocations do not count."""
    settled: dict[str, Decimal] = defaultdict(Decimal)
    for allocation in allocations:
        if allocation.date <= as_of:
            settled[allocation.debit_key] += allocation.amount
            settled[allocation.credit_key] += allocation.amount
    items = []
    for entry in entries:
        if entry.date > as_of:
            continue
        sign = 1 if entry.is_debit else -1
        remaining = entry.amount - sign * settled[entry.key]
        if remaining:
            items.append(OpenItem(entry, remaining))
    return items
