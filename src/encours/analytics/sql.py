"""Portable SQL building blocks: the open items of the ledger at a date."""

from __future__ import annotations

# One row per entry open at :as_of, with its signed open amount in cents and the date it
# ages from (due date for debits, own date for credits). Allocations count from their date.
OPEN_ITEMS = """
open_items AS (
    SELECT e.id AS entry_id, e.customer_pk, e.currency, e.kind, e.disputed, e.due_date,
           CASE WHEN e.amount_cents > 0 THEN e.due_date ELSE e.date END AS aging_date,
           e.amount_cents
             - CASE WHEN e.amount_cents > 0 THEN COALESCE(s.cents, 0) ELSE -COALESCE(s.cents, 0) END
             AS open_cents
    FROM entries e
    LEFT JOIN (
        SELECT entry_id, SUM(cents) AS cents FROM (
            SELECT debit_entry_id AS entry_id, amount_cents AS cents
            FROM allocations WHERE date <= :as_of
            UNION ALL
            SELECT credit_entry_id AS entry_id, amount_cents AS cents
            FROM allocations WHERE date <= :as_of
        ) moves GROUP BY entry_id
    ) s ON s.entry_id = e.id
    WHERE e.date <= :as_of
)
"""


def with_open_items(select: str) -> str:
    """A full query: the open-items CTE followed by ``select`` reading from ``open_items``."""
    return f"WITH {OPEN_ITEMS}\n{select}"
