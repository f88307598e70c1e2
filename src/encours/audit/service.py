"""Recording and reading audit events; flushes only, the caller's unit of work commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from encours.audit.models import AuditEventRow
from encours.storage.base import utcnow

BATCH = 10_000  # events per executemany when appending many at once


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


def record_many(session: Session, events: Sequence[AuditEvent]) -> None:
    """Append many events set-wise (a batched executemany, no ORM object per event), at once.

    For a service writing one event per item of a large set, such as a dunning run's decisions.
    """
    table = cast(Table, AuditEventRow.__table__)
    for start in range(0, len(events), BATCH):
        session.execute(insert(table), [event._asdict() for event in events[start : start + BATCH]])


def events(session: Session, customer_id: str | None = None, limit: int = 1000) -> Sequence[AuditEvent]:
    """Latest events first, optionally for one customer."""
    query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)
    if customer_id is not None:
        query = query.where(AuditEventRow.customer_id == customer_id)
    return [
        AuditEvent(row.at, row.actor, row.action, row.customer_id, row.subject, dict(row.details))
        for row in session.scalars(query)
    ]


def action_counts(session: Session, prefix: str, since: dt.datetime) -> list[tuple[str, int]]:
    """How many events of each action starting with ``prefix`` happened since ``since``, by action."""
    rows = session.execute(
        select(AuditEventRow.action, func.count())
        .where(AuditEventRow.action.startswith(prefix, autoescape=True), AuditEventRow.at >= since)
        .group_by(AuditEventRow.action)
        .order_by(AuditEventRow.action)
    )
    return [(action, int(count)) for action, count in rows]
