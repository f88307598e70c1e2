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
    return [_event(row) for row in session.scalars(query)]


def recorded(session: Session, action: str, subject: str) -> bool:
    """Whether an event of ``action`` about ``subject`` is on the trail (e.g. a message already sent)."""
    query = select(AuditEventRow.id).where(AuditEventRow.action == action, AuditEventRow.subject == subject)
    return session.scalar(query.limit(1)) is not None


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(row.at, row.actor, row.action, row.customer_id, row.subject, dict(row.details))


def action_counts(session: Session, prefix: str, since: dt.datetime) -> list[tuple[str, int]]:
    """How many events of each action starting with ``prefix`` happened since ``since``, by action."""
    rows = session.execute(
        select(AuditEventRow.action, func.count())
        .where(AuditEventRow.action.startswith(prefix, autoescape=True), AuditEventRow.at >= since)
        .group_by(AuditEventRow.action)
        .order_by(AuditEventRow.action)
    )
    return [(action, int(count)) for action, count in rows]


class AuditFilter(NamedTuple):
    """What the audit-trail view and ``GET /api/v1/audit`` narrow the trail to; None: any."""

    customer_id: str | None = None
    actor: str | None = None
    action: str | None = None  # an action, or its kind: ``user`` matches ``user.created``...
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # excluded


class AuditPage(NamedTuple):
    events: list[AuditEvent]
    total: int  # events matching the filter, on every page
    more: bool  # another page follows


def search(session: Session, where: AuditFilter, offset: int = 0, limit: int = 50) -> AuditPage:
    """Latest events first, filtered, one page of them and how many match in all."""
    conditions = []
    if where.customer_id:
        conditions.append(AuditEventRow.customer_id == where.customer_id)
    if where.actor:
        conditions.append(AuditEventRow.actor == where.actor)
    if where.action:
        exact = AuditEventRow.action == where.action
        conditions.append(exact | AuditEventRow.action.startswith(f"{where.action}.", autoescape=True))
    if where.since is not None:
        conditions.append(AuditEventRow.at >= where.since)
    if where.until is not None:
        conditions.append(AuditEventRow.at < where.until)
    query = select(AuditEventRow).where(*conditions).order_by(AuditEventRow.id.desc())
    rows = list(session.scalars(query.offset(offset).limit(limit)))
    total = session.scalar(select(func.count()).select_from(AuditEventRow).where(*conditions)) or 0
    return AuditPage([_event(row) for row in rows], total, offset + len(rows) < total)


def action_kinds(session: Session) -> list[str]:
    """The kinds of action recorded so far (``user``, ``dunning``...), for the view's filter."""
    actions = session.scalars(select(AuditEventRow.action).distinct())
    return sorted({action.split(".", 1)[0] for action in actions})
