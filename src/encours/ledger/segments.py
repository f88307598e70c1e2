"""Customers as lists show them: their segment (the worklist's filter) and their names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from encours.ledger.models import CustomerRow

# one index probe per segment (a "loose index scan"), not a DISTINCT over 100k customers
SEGMENTS_SQL = text(
    "WITH RECURSIVE found(segment) AS ("
    " SELECT MIN(segment) FROM customers WHERE segment IS NOT NULL"
    " UNION ALL SELECT (SELECT MIN(c.segment) FROM customers c WHERE c.segment > found.segment)"
    " FROM found WHERE found.segment IS NOT NULL)"
    " SELECT segment FROM found WHERE segment IS NOT NULL"
)


def segments(session: Session) -> list[str]:
    """Every segment some customer has, sorted (index ``ix_customers_segment``)."""
    return sorted(str(s) for s in session.scalars(SEGMENTS_SQL) if s)


def names(session: Session, customer_ids: Iterable[str]) -> dict[str, str]:
    """Each named customer's name, so boards show names rather than ids (one query)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(CustomerRow.customer_id, CustomerRow.name).where(CustomerRow.customer_id.in_(ids))
    )
    return {str(cid): str(name) for cid, name in rows}
