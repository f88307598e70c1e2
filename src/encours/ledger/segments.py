"""Customers as lists show them: their segment (the worklist's filter) and their names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.ledger.models import CustomerRow


def segments(session: Session) -> list[str]:
    """Every segment some customer has, sorted (index ``ix_customers_segment``)."""
    query = select(CustomerRow.segment).where(CustomerRow.segment.is_not(None)).distinct()
    return sorted(str(s) for s in session.scalars(query) if s)


def customers_in(session: Session, segment: str) -> set[str]:
    return set(session.scalars(select(CustomerRow.customer_id).where(CustomerRow.segment == segment)))


def names(session: Session, customer_ids: Iterable[str]) -> dict[str, str]:
    """Each named customer's name, so boards show names rather than ids (one query)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(CustomerRow.customer_id, CustomerRow.name).where(CustomerRow.customer_id.in_(ids))
    )
    return {str(cid): str(name) for cid, name in rows}
