"""Recording and reading audit events; flushes only, the caller's unit of work commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.audit.models import AuditEventRow
from encours.storage.base import utcnow


class AuditEvent(NamedTuple):
    at: dt.datetime
    actor: str
    action: str
    customer_id: str | None
    subject: str | None
    details: dict[str, Any]


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    customer_id: str | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one event; ``details`` must be JSON-serialisable (amounts as strings).

    Not flushed here: the caller's next flush, query or commit writes it, so a service that
    records an event per item does not pay a round trip per item.
    """
    session.add(
        AuditEventRow(
            at=at or utcnow(),
            actor=actor,
            action=action,
            customer_id=customer_id,
            subject=subject,
            details=details or {},
        )
    )


def events(session: Session, customer_id: str | None = None, limit: int = 1000) -> Sequence[AuditEvent]:
    """Latest events first, optionally for one customer."""
    query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)
    if customer_id is not None:
        query = query.where(AuditEventRow.customer_id == customer_id)
    return [
        AuditEvent(row.at, row.actor, row.action, row.customer_id, row.subject, dict(row.details))
        for row in session.scalars(query)
    ]
