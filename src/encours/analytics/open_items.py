"""The open amount of every item at a date, set-wise: the SQL fragments and the columnar kernel.

The one rule (``domain.open_items``, SPEC §4) written for sets: an entry dated by the date,
less what allocations dated by the date settled of it; each allocation counts on both its
entries. Every set-wise consumer builds on this module (aging, KPIs, the customer sheet and
the portal, dunning, credit exposure, cash application, casework, foresight history);
``tests/test_open_items_parity.py`` proves each one equal to the pure rule.

The SQL is plain SQL-92 plus common table expressions, so the same text runs on SQLite,
PostgreSQL, DuckDB and Spark SQL; dates are bound parameters (``:as_of``), never subtracted.
A ``within`` condition on the entries ``e`` (e.g. ``e.customer_pk IN :pks``) restricts a
fragment to a few entries through the indexes, so a page costs the same on any ledger size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray[Any, Any]
SIDES = ("debit_entry_id", "credit_entry_id")

# Debits age from their due date, credits from their own date (SPEC §4).
AGING_DATE = "CASE WHEN e.amount_cents > 0 THEN e.due_date ELSE e.date END"
# An entry ``e`` less what the settled row ``s`` took off it, in the entry's sign.
OPEN_CENTS = (
    "e.amount_cents - CASE WHEN e.amount_cents > 0 THEN COALESCE(s.cents, 0) ELSE -COALESCE(s.cents, 0) END"
)


def _and(within: str) -> str:
    return f" AND {within}" if within else ""


# per entry ------------------------------------------------------------------------------
def settled_cte(within: str = "") -> str:
    """``settled``: cents allocated by :as_of to each entry, on either side of the allocation."""
    moves = " UNION ALL ".join(
        f"""
        SELECT a.{side} AS entry_id, a.amount_cents AS cents
        FROM allocations a WHERE a.date <= :as_of"""
        + (f" AND a.{side} IN (SELECT e.id FROM entries e WHERE {within})" if within else "")
        for side in SIDES
    )
    return f"""
settled AS (
    SELECT entry_id, SUM(cents) AS cents FROM ({moves}
    ) moves GROUP BY entry_id
)"""


def open_items_cte(within: str = "", columns: Sequence[str] = ()) -> str:
    """``settled`` and ``open_items``: one row per entry dated by :as_of, settled ones included.

    Columns: entry_id, customer_pk, currency, kind, disputed, date, due_date, amount_cents,
    aging_date, open_cents (signed like the entry), plus the entry ``columns`` asked for.
    """
    extra = "".join(f", e.{column}" for column in columns)
    return f"""{settled_cte(within)},
open_items AS (
    SELECT e.id AS entry_id, e.customer_pk, e.currency, e.kind, e.disputed, e.date, e.due_date,
           e.amount_cents, {AGING_DATE} AS aging_date, {OPEN_CENTS} AS open_cents{extra}
    FROM entries e
    LEFT JOIN settled s ON s.entry_id = e.id
    WHERE e.date <= :as_of{_and(within)}
)
"""


def with_open_items(select: str, within: str = "", columns: Sequence[str] = ()) -> str:
    """A full query: the open-items CTEs followed by ``select`` reading from ``open_items``."""
    return f"WITH {open_items_cte(within, columns)}\n{select}"


# per customer ---------------------------------------------------------------------------
def documents(within: str = "") -> str:
    """Movement form, first half: every entry dated by :as_of at its full amount."""
    return f"""
SELECT e.customer_pk, e.currency, {AGING_DATE} AS aging_date, e.amount_cents AS cents
FROM entries e WHERE e.date <= :as_of{_and(within)}"""


def settlements(within: str = "") -> str:
    """Movement form, second half: what each allocation by :as_of took off its two entries."""
    return " UNION ALL ".join(
        f"""
SELECT e.customer_pk, e.currency, {AGING_DATE} AS aging_date,
       CASE WHEN e.amount_cents > 0 THEN -a.amount_cents ELSE a.amount_cents END AS cents
FROM allocations a JOIN entries e ON e.id = a.{side}
WHERE a.date <= :as_of AND e.date <= :as_of{_and(within)}"""
        for side in SIDES
    )


def balances_ctes(sums: Mapping[str, str], within: str = "") -> str:
    """``documents``, ``settlements`` and ``balances``: per customer and currency, the sums.

    ``sums`` maps a column name to an expression over a movement's ``aging_date`` and
    ``cents``. Open amounts are linear, so entries and settlements are summed apart, then
    added: the entries are read once without joining anything (an index on customer,
    currency and dates serves it in order) and only allocations are joined to their entries.
    """
    parts = ", ".join(f"SUM({expression}) AS {name}" for name, expression in sums.items())
    names = ", ".join(sums)
    # BIGINT: PostgreSQL sums bigints as numeric, which the driver would turn into Decimals
    totals = ", ".join(f"CAST(SUM({name}) AS BIGINT) AS {name}" for name in sums)
    return f"""documents AS (
    SELECT customer_pk, currency, {parts} FROM ({documents(within)}) d GROUP BY customer_pk, currency
),
settlements AS (
    SELECT customer_pk, currency, {parts} FROM ({settlements(within)}) s GROUP BY customer_pk, currency
),
balances AS (
    SELECT customer_pk, currency, {totals} FROM (
        SELECT customer_pk, currency, {names} FROM documents
        UNION ALL
        SELECT customer_pk, currency, {names} FROM settlements
    ) parts GROUP BY customer_pk, currency
)"""


# columnar kernel --------------------------------------------------------------------------
class Sides(NamedTuple):
    """Allocations as the entries see them: each one on its debit's row and on its credit's row."""

    row: Array  # entry row (int64)
    cents: Array  # positive amount (int64)
    day: Array  # allocation date as a day number (days since 1970)

    @classmethod
    def of(cls, debit_rows: Array, credit_rows: Array, cents: Array, days: Array) -> Sides:
        both = np.concatenate
        return cls(both([debit_rows, credit_rows]), both([cents, cents]), both([days, days]))


def settlements_at(sides: Sides, entry_day: Array, debit: Array, day: int) -> tuple[Array, Array]:
    """Entry rows and the signed cents that allocations by ``day`` take off their open amounts."""
    counted = sides.day <= day
    rows = sides.row[counted]
    dated = entry_day[rows] <= day
    rows = rows[dated]
    cents = sides.cents[counted][dated]
    return rows, np.where(debit[rows], -cents, cents)


def open_cents_at(amount: Array, entry_day: Array, sides: Sides, day: int) -> Array:
    """Open amount of every entry at ``day`` in cents (0 for entries dated after it)."""
    rows, cents = settlements_at(sides, entry_day, amount > 0, day)
    result: Array = np.where(entry_day <= day, amount, 0)
    np.add.at(result, rows, cents)
    return result


class SettledByEntry:
    """The same sides grouped by entry, so settled amounts at any date take one pass."""

    def __init__(self, sides: Sides) -> None:
        order = np.argsort(sides.row, kind="stable")
        self.touched, self.segments = np.unique(sides.row[order], return_index=True)
        self.cents, self.day = sides.cents[order], sides.day[order]

    def open_cents(self, amount: Array, entry_day: Array, day: int) -> tuple[Array, Array]:
        """(rows, open cents) of the entries dated by ``day`` that allocations by then touched."""
        if not len(self.touched):
            return self.touched, self.touched
        settled = np.add.reduceat(np.where(self.day <= day, self.cents, 0), self.segments)
        chosen = (settled != 0) & (entry_day[self.touched] <= day)
        rows, settled = self.touched[chosen], settled[chosen]
        owed = amount[rows]
        return rows, np.where(owed > 0, owed - settled, owed + settled)
