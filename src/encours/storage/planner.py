"""Planner hints for the few-row reads of a screen.

A board page sums the open items of fifty customers: a few hundred index rows. PostgreSQL's
planner still picks a parallel plan for it (its cost model weighs each index probe as a random
read), and starting two workers costs more than the query itself: a few milliseconds on a
quiet host, tens of milliseconds when fifty requests share two cores.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

SERIAL = text("SET LOCAL max_parallel_workers_per_gather = 0")


def without_parallel_workers(session: Session) -> None:
    """The rest of this transaction's queries run in the backend alone (PostgreSQL; no-op elsewhere)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(SERIAL)
