"""Portable SQL building blocks: the open items of the ledger at a date.

Plain SQL-92 plus common table expressions: the same text runs on SQLite, PostgreSQL,
DuckDB and Spark SQL. Dates are compared with bound parameters, never subtracted.
"""

from __future__ import annotations

# Allocated cents per entry at :as_of. Both sides count, as in the reference rule
# (domain.open_items), so an entry that appears as debit and as credit still adds up.
SETTLED = """
settled AS (
    SELECT entry_id, SUM(cents) AS cents FROM (
        SELECT debit_entry_id AS entry_id, amount_cents AS cents
        FROM allocations WHERE date <= :as_of
        UNION ALL
        SELECT credit_entry_id AS entry_id, amount_cents AS cents
        FROM allocations WHERE date <= :as_of
    ) moves GROUP BY entry_id
)"""

# One row per entry open at :as_of, with its signed open amount in cents and the date it
# ages from (due date for debits, own date for credits). Allocations count from their date.
OPEN_ITEMS = f"""{SETTLED},
open_items AS (
    SELECT e.id AS entry_id, e.customer_pk, e.currency, e.kind, e.disputed, e.due_date,
           CASE WHEN e.amount_cents > 0 THEN e.due_date ELSE e.date END AS aging_date,
           e.amount_cents
             - CASE WHEN e.amount_cents > 0 THEN COALESCE(s.cents, 0) ELSE -COALESCE(s.cents, 0) END
             AS open_cents
    FROM entries e
    LEFT JOIN settled s ON s.entry_id = e.id
    WHERE e.date <= :as_of
)
"""

# The same open amounts as movements: every entry's amount, then minus what allocations
# settled of it. Sums that are linear in the open amount (the aged balance) read the
# entries in one pass and join only the allocations, instead of joining every entry.
AGING_DATE = "CASE WHEN e.amount_cents > 0 THEN e.due_date ELSE e.date END"
DOCUMENTS = f"""
SELECT e.customer_pk, e.currency, {AGING_DATE} AS aging_date, e.amount_cents AS cents
FROM entries e WHERE e.date <= :as_of"""
SETTLEMENTS = " UNION ALL ".join(
    f"""
SELECT e.customer_pk, e.currency, {AGING_DATE} AS aging_date,
       CASE WHEN e.amount_cents > 0 THEN -a.amount_cents ELSE a.amount_cents END AS cents
FROM allocations a JOIN entries e ON e.id = a.{side}
WHERE a.date <= :as_of AND e.date <= :as_of"""
    for side in ("debit_entry_id", "credit_entry_id")
)


def with_open_items(select: str) -> str:
    """A full query: the open-items CTE followed by ``select`` reading from ``open_items``."""
    return f"WITH {OPEN_ITEMS}\n{select}"
