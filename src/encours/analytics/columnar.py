"""Aged balance and KPI aggregates over ledger columns held in memory (NumPy).

For ledgers of tens of millions of entries read once into memory (from DuckDB, Parquet or
the database, as Arrow tables named like the ledger tables), each view at a date is a few
vectorised passes over arrays, split over the cores: no SQL planning, no hash join, no
Python loop per item. Open amounts come from the one rule's columnar kernel
(``analytics.open_items``), so results equal the portable SQL and the reference rule
(``domain.open_items``); the tests prove it.

Sums stay exact integers of cents. ``numpy.bincount`` accumulates in float64, which is exact
for integers while every partial sum stays below 2**53; ``LedgerColumns`` checks that bound
once (the sum of absolute amounts) and otherwise sums with integer ``numpy.add.at``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from encours.analytics.aging import assemble, bucket_thresholds
from encours.analytics.kpi_assembly import DOUBTFUL_AFTER_DAYS, Totals, kpis_from_aggregates
from encours.analytics.open_items import SettledByEntry, Sides, open_cents_at, settlements_at
from encours.domain.aging import DEFAULT_BUCKETS, AgedBalance, Bucket
from encours.domain.kpi import Kpis

EPOCH = dt.date(1970, 1, 1)
EXACT_FLOAT_SUM = 2**52  # below 2**53 with a margin: float64 sums of integers stay exact
SALE_KINDS = ("invoice", "credit_note")
ENTRY_COLUMNS = ("id", "customer_pk", "kind", "date", "due_date", "amount_cents", "currency", "disputed")
Array = np.ndarray[Any, Any]


def _day(value: dt.date) -> int:
    return (value - EPOCH).days


def _days(column: pa.ChunkedArray | pa.Array) -> Array:
    return np.asarray(pc.cast(column, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int32)


def _ints(column: pa.ChunkedArray | pa.Array) -> Array:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)


def _codes(column: pa.ChunkedArray | pa.Array) -> tuple[Array, list[str]]:
    """Small integer codes of a text column and the sorted labels they stand for."""
    labels = sorted(str(v) for v in pc.unique(column).to_pylist())
    codes = pc.index_in(column, value_set=pa.array(labels, type=pa.string()))
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int32), labels


def _rows_of(ids: Array, wanted: Array, what: str) -> Array:
    """Row index in ``ids`` of each wanted id: a lookup table for dense ids, else a search."""
    if not len(wanted):
        return np.zeros(0, dtype=np.int64)
    if not len(ids) or wanted.min() < ids.min() or wanted.max() > ids.max():
        raise ValueError(f"{what} refers to an unknown row")
    low, high = int(ids.min()), int(ids.max())
    if high - low < 4 * len(ids) + 1024:
        table = np.full(high - low + 1, -1, dtype=np.int64)
        table[ids - low] = np.arange(len(ids))
        rows: Array = table[wanted - low]
        if np.any(rows < 0):
            raise ValueError(f"{what} refers to an unknown row")
        return rows
    order = np.argsort(ids, kind="stable")
    found = np.searchsorted(ids[order], wanted)
    found = np.minimum(found, len(ids) - 1)
    if np.any(ids[order][found] != wanted):
        raise ValueError(f"{what} refers to an unknown row")
    return np.asarray(order[found], dtype=np.int64)


def _split(size: int, parts: int) -> list[slice]:
    bounds = np.linspace(0, size, parts + 1).astype(int)
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


class AgingCents(NamedTuple):
    """The aged balance as arrays: one row per (customer, currency) with a non-zero bucket."""

    customer_ids: list[str]
    names: list[str]
    currencies: list[str]
    cents: Array  # int64, rows x buckets

    def rows(self) -> list[tuple[Any, ...]]:
        return [
            (cid, name, cur, *map(int, cents))
            for cid, name, cur, cents in zip(
                self.customer_ids, self.names, self.currencies, self.cents, strict=True
            )
        ]


class LedgerColumns:
    """The ledger's columns, prepared once (ids mapped to rows); views at any date are cheap."""

    def __init__(
        self,
        entries: pa.Table,
        allocations: pa.Table,
        customers: pa.Table,
        threads: int = 2,
        float_sums: bool | None = None,
    ) -> None:
        """``float_sums`` None: sum in float64 when provably exact (the default), else integers."""
        self.threads = max(1, threads)
        entry_ids = _ints(entries["id"])
        customer_pks = _ints(customers["id"])
        self.customer_ids: list[str] = customers["customer_id"].to_pylist()
        self.names: list[str] = customers["name"].to_pylist()
        currency, self.currency_labels = _codes(entries["currency"])
        customer_row = _rows_of(customer_pks, _ints(entries["customer_pk"]), "an entry's customer")
        self.currency_count = max(1, len(self.currency_labels))
        self.group = (customer_row * self.currency_count + currency).astype(np.int64)
        self.group_count = len(customer_pks) * self.currency_count
        self.currency = currency
        self.date = _days(entries["date"])
        self.amount = _ints(entries["amount_cents"])
        self.debit = self.amount > 0
        self.aging = np.where(self.debit, _days(entries["due_date"]), self.date).astype(np.int32)
        self.disputed = np.asarray(entries["disputed"].to_numpy(zero_copy_only=False), dtype=bool)
        kinds = entries["kind"]
        self.sale = np.asarray(pc.is_in(kinds, value_set=pa.array(SALE_KINDS)).to_numpy(zero_copy_only=False))
        # each allocation counts on both its entries, as in the reference rule
        cents = _ints(allocations["amount_cents"])
        self.sides = Sides.of(
            _rows_of(entry_ids, _ints(allocations["debit_entry_id"]), "an allocation"),
            _rows_of(entry_ids, _ints(allocations["credit_entry_id"]), "an allocation"),
            cents,
            _days(allocations["date"]),
        )
        self.by_entry = SettledByEntry(self.sides)
        magnitude = float(np.abs(self.amount).sum(dtype=np.float64)) + 2 * float(
            np.abs(cents).sum(dtype=np.float64)
        )
        exact = magnitude < EXACT_FLOAT_SUM
        self.floats_exact = exact if float_sums is None else float_sums and exact
        self.last_date = int(self.date.max()) if len(self.date) else 0
        self.weights = self.amount.astype(np.float64) if self.floats_exact else self.amount

    @classmethod
    def from_duckdb(cls, connection: Any, threads: int = 2, float_sums: bool | None = None) -> LedgerColumns:
        """Columns of the tables ``entries``, ``allocations`` and ``customers`` a DuckDB sees."""

        def table(sql: str) -> pa.Table:
            return connection.sql(sql).to_arrow_table()

        return cls(
            table(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM entries"),
            table("SELECT credit_entry_id, debit_entry_id, amount_cents, date FROM allocations"),
            table("SELECT id, customer_id, name FROM customers"),
            threads,
            float_sums,
        )

    # sums ----------------------------------------------------------------------------
    def _sum_by(self, keys: Array, weights: Array, size: int) -> Array:
        """Exact integer sums of ``weights`` per key in [0, size)."""
        if self.floats_exact:
            return np.rint(np.bincount(keys, weights=weights, minlength=size)).astype(np.int64)
        out = np.zeros(size, dtype=np.int64)
        np.add.at(out, keys, weights.astype(np.int64))
        return out

    def _parallel(self, work: Callable[[slice], Array], size: int) -> Array:
        parts = _split(size, self.threads)
        if len(parts) == 1:
            return work(parts[0])
        with ThreadPoolExecutor(len(parts)) as pool:
            results = list(pool.map(work, parts))
        total: Array = np.sum(results, axis=0)
        return total

    def open_cents(self, as_of: dt.date) -> Array:
        """Open amount of every entry at ``as_of`` (0 for entries dated after it)."""
        return open_cents_at(self.amount, self.date, self.sides, _day(as_of))

    # aged balance --------------------------------------------------------------------
    def aging_cents(self, as_of: dt.date, buckets: Sequence[Bucket] = DEFAULT_BUCKETS) -> AgingCents:
        day = _day(as_of)
        count = len(buckets)
        thresholds = [_day(t) for t in bucket_thresholds(buckets, as_of)]
        size = self.group_count * count

        def keys(part: slice | Array) -> Array:
            """(customer, currency, bucket) of each row as one integer."""
            aging = self.aging[part]
            key: Array = self.group[part] * count
            for threshold in thresholds:
                key += aging < threshold
            return key

        def documents(part: slice) -> Array:
            weights = self.weights[part]
            if self.last_date > day:
                weights = np.where(self.date[part] <= day, weights, 0)
            return self._sum_by(keys(part), weights, size)

        totals = self._parallel(documents, len(self.amount))
        rows, cents = settlements_at(self.sides, self.date, self.debit, day)
        if len(rows):
            totals += self._sum_by(keys(rows), cents, size)
        grid = totals.reshape(self.group_count, count)
        found = np.flatnonzero(np.any(grid != 0, axis=1))
        customer_rows = found // self.currency_count
        return AgingCents(
            [self.customer_ids[i] for i in customer_rows],
            [self.names[i] for i in customer_rows],
            [self.currency_labels[i] for i in found % self.currency_count],
            grid[found],
        )

    def aged_balance(
        self, as_of: dt.date, buckets: Sequence[Bucket] = DEFAULT_BUCKETS, default_currency: str = "EUR"
    ) -> list[AgedBalance]:
        """The same aged balances as ``analytics.aging.aged_balance``."""
        return assemble(self.aging_cents(as_of, buckets).rows(), as_of, buckets, default_currency)

    # KPIs ----------------------------------------------------------------------------
    def totals(self, as_of: dt.date) -> dict[str, Totals]:
        """(outstanding, overdue, positive open, current, doubtful) per currency, in cents.

        Every entry falls in one of 12 classes per currency (open amount positive or not,
        disputed or not, aging current / overdue / overdue beyond the doubtful age); the five
        totals are sums of classes. Entries are summed as if nothing settled them, then the
        entries that allocations touched are moved from their unsettled class to their class.
        """
        day = _day(as_of)
        doubtful_before = _day(as_of - dt.timedelta(days=DOUBTFUL_AFTER_DAYS))
        size = self.currency_count * 12

        def classes(rows: slice | Array, positive: Array) -> Array:
            aging = self.aging[rows]
            key: Array = self.currency[rows].astype(np.int64) * 12 + positive * 6 + self.disputed[rows] * 3
            key += aging < day
            key += aging < doubtful_before
            return key

        def documents(part: slice) -> Array:
            weights = self.weights[part]
            if self.last_date > day:
                weights = np.where(self.date[part] <= day, weights, 0)
            return self._sum_by(classes(part, self.debit[part]), weights, size)

        sums = self._parallel(documents, len(self.amount))
        rows, open_cents = self.by_entry.open_cents(self.amount, self.date, day)
        if len(rows):
            sums += self._sum_by(classes(rows, open_cents > 0), open_cents, size)
            sums -= self._sum_by(classes(rows, self.debit[rows]), self.amount[rows], size)
        seen = np.bincount(self.currency[self.date <= day], minlength=self.currency_count)
        found: dict[str, Totals] = {}
        for index, label in enumerate(self.currency_labels):
            if seen[index]:
                c = sums[index * 12 : index * 12 + 12].reshape(2, 2, 3)  # positive, disputed, aging
                positive = c[1]
                found[label] = (
                    int(c.sum()),
                    int(positive[:, 1:].sum()),
                    int(positive.sum()),
                    int(c[:, :, 0].sum()),
                    int(positive[1].sum() + positive[0, 2]),
                )
        return found

    def daily_sales(self, as_of: dt.date) -> dict[str, dict[dt.date, int]]:
        """Sales (invoices minus credit notes) per currency and day up to ``as_of``."""
        chosen = self.sale & (self.date <= _day(as_of))
        if not chosen.any():
            return {}
        days = self.date[chosen]
        first = int(days.min())
        span = int(days.max()) - first + 1
        keys = self.currency[chosen].astype(np.int64) * span + (days - first)
        sums = self._sum_by(keys, self.amount[chosen], span * self.currency_count)
        counts = np.bincount(keys, minlength=span * self.currency_count)
        result: dict[str, dict[dt.date, int]] = defaultdict(dict)
        for key in np.flatnonzero(counts):
            currency, offset = divmod(int(key), span)
            day = EPOCH + dt.timedelta(days=first + offset)
            result[self.currency_labels[currency]][day] = int(sums[key])
        return dict(result)

    def kpis(self, as_of: dt.date, default_currency: str = "EUR") -> list[Kpis]:
        """The same KPIs as ``analytics.kpi.kpis``."""
        return kpis_from_aggregates(
            as_of,
            self.totals(as_of),
            self.totals(as_of - dt.timedelta(days=30)),
            self.daily_sales(as_of),
            default_currency,
        )
