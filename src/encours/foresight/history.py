"""Settlement outcomes of invoices, read set-wise from the ledger.

The settlement date of an invoice is the day its open amount reached zero through
allocations (payments or credit notes); an invoice never brought to zero has none and is a
censored observation. The full history is read once; every consumer filters it by a
knowledge date (a settlement is known at D only when dated before D), so no query here
needs to know the prediction date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from encours.analytics.open_items import Sides, open_cents_at
from encours.analytics.runner import SqlRunner

EPOCH = dt.date(1970, 1, 1)
NEVER = 1_000_000  # day number standing for "not (yet) happened"

Days = npt.NDArray[np.int64]

# One row per invoice with its settlement day: the first allocation date at which the
# cumulated allocations reach the invoice amount (RANGE frames include same-day peers), that is
# the first day the one rule's open amount (analytics.open_items) is zero or less: an invoice
# is a debit, so its allocations are those naming it as their debit entry.
HISTORY_SQL = """
WITH moves AS (
    SELECT a.debit_entry_id AS entry_id, a.date,
           SUM(a.amount_cents) OVER (PARTITION BY a.debit_entry_id ORDER BY a.date
                                     RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_cents
    FROM allocations a
),
settle AS (
    SELECT m.entry_id,
           MIN(m.date) AS first_alloc,
           MIN(CASE WHEN m.cum_cents >= e.amount_cents THEN m.date END) AS settled
    FROM moves m JOIN entries e ON e.id = m.entry_id
    GROUP BY m.entry_id
)
SELECT e.id, e.reference, c.customer_id, e.customer_pk, e.date, e.due_date, e.amount_cents,
       e.disputed, e.currency, s.first_alloc, s.settled
FROM entries e
JOIN customers c ON c.id = e.customer_pk
LEFT JOIN settle s ON s.entry_id = e.id
WHERE e.kind = 'invoice' AND e.amount_cents > 0
ORDER BY e.date, e.id
"""


def day_number(value: Any) -> int:
    """Days since 1970-01-01 (SQLite may hand dates back as text)."""
    if value is None:
        return NEVER
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return int((value - EPOCH).days)


def to_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


class History(NamedTuple):
    """Columnar invoice history; days are integers (days since 1970), NEVER when absent."""

    entry_id: Days
    invoice_id: npt.NDArray[np.str_]
    customer_id: npt.NDArray[np.str_]
    customer_pk: Days
    issue: Days
    due: Days
    amount_cents: Days
    disputed: npt.NDArray[np.bool_]
    currency: npt.NDArray[np.str_]
    first_alloc: Days
    settled: Days

    @property
    def size(self) -> int:
        """Number of invoices (``len`` would count the columns: this is a tuple)."""
        return len(self.entry_id)

    def take(self, mask: npt.NDArray[np.bool_] | Days) -> History:
        columns: list[Any] = [column[mask] for column in self]
        return History(*columns)


def load_history(runner: SqlRunner) -> History:
    rows = runner.rows(HISTORY_SQL, {})
    if not rows:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_s = np.zeros(0, dtype=str)
        return History(empty_i, empty_s, empty_s, empty_i, empty_i, empty_i, empty_i,
                       np.zeros(0, dtype=bool), empty_s, empty_i, empty_i)  # fmt: skip
    columns = list(zip(*rows, strict=True))

    def ints(values: Sequence[Any]) -> Days:
        return np.fromiter((int(v) for v in values), dtype=np.int64, count=len(rows))

    def days(values: Sequence[Any]) -> Days:
        return np.fromiter(map(day_number, values), dtype=np.int64, count=len(rows))

    return History(
        entry_id=ints(columns[0]),
        invoice_id=np.array(columns[1], dtype=str),
        customer_id=np.array(columns[2], dtype=str),
        customer_pk=ints(columns[3]),
        issue=days(columns[4]),
        due=days(columns[5]),
        amount_cents=ints(columns[6]),
        disputed=np.array([bool(v) for v in columns[7]], dtype=bool),
        currency=np.array(columns[8], dtype=str),
        first_alloc=days(columns[9]),
        settled=days(columns[10]),
    )


class Allocations(NamedTuple):
    """Allocations to invoices: which invoice, when, how much, and whether it was cash."""

    entry_id: Days
    day: Days
    cents: Days
    is_payment: npt.NDArray[np.bool_]


ALLOCATIONS_SQL = """
SELECT a.debit_entry_id, a.date, a.amount_cents, c.kind
FROM allocations a
JOIN entries d ON d.id = a.debit_entry_id
JOIN entries c ON c.id = a.credit_entry_id
WHERE d.kind = 'invoice' AND d.amount_cents > 0
ORDER BY a.debit_entry_id, a.date, a.id
"""


def load_allocations(runner: SqlRunner) -> Allocations:
    rows = runner.rows(ALLOCATIONS_SQL, {})
    n = len(rows)
    return Allocations(
        np.fromiter((int(r[0]) for r in rows), dtype=np.int64, count=n),
        np.fromiter((day_number(r[1]) for r in rows), dtype=np.int64, count=n),
        np.fromiter((int(r[2]) for r in rows), dtype=np.int64, count=n),
        np.fromiter((r[3] == "payment" for r in rows), dtype=bool, count=n),
    )


def open_cents(history: History, allocations: Allocations, through: int) -> Days:
    """Open amount of each invoice at day ``through`` by the one rule (``analytics.open_items``):
    the allocations dated by then taken off; 0 for an invoice issued after it."""
    if history.size == 0:
        return np.zeros(0, dtype=np.int64)
    sorter = np.argsort(history.entry_id, kind="stable")
    position = np.searchsorted(history.entry_id, allocations.entry_id, sorter=sorter)
    index = sorter[np.clip(position, 0, history.size - 1)]
    known = history.entry_id[index] == allocations.entry_id
    sides = Sides(index[known], allocations.cents[known], allocations.day[known])
    return open_cents_at(history.amount_cents, history.issue, sides, through)


class Reminders(NamedTuple):
    """Reminders sent to customers (dunning actions), by the day of the run that sent them."""

    customer_pk: Days
    day: Days


NO_REMINDERS = Reminders(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

REMINDERS_SQL = """
SELECT customer_pk, as_of FROM dunning_actions WHERE status IN ('sent', 'produced')
"""


def load_reminders(runner: SqlRunner, has_table: bool) -> Reminders:
    """Reminders when the dunning tables exist (the dunning module is installed)."""
    if not has_table:
        return NO_REMINDERS
    rows = runner.rows(REMINDERS_SQL, {})
    n = len(rows)
    return Reminders(
        np.fromiter((int(r[0]) for r in rows), dtype=np.int64, count=n),
        np.fromiter((day_number(r[1]) for r in rows), dtype=np.int64, count=n),
    )
