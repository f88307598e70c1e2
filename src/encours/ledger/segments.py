"""Customer segments as imported (``customers.segment``): the worklist's segment filter."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.ledger.models import CustomerRow


def segments(session: Session) -> list[str]:
    """Every segment some customer has, sorted (index ``ix_customers_segment``)."""
    query = select(CustomerRow.segment).where(CustomerRow.segment.is_not(None)).distinct()
    return sorted(str(s) for s in session.scalars(query) if s)


def customers_in(session: Session, segment: str) -> set[str]:
    return set(session.scalars(select(CustomerRow.customer_id).where(CustomerRow.segment == segment)))
