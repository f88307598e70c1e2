"""Disputes: an invoice the customer contests leaves the dunning scenario until resolved.

``entries.disputed`` stays the flag imported from the accounting; this table is the
workflow (reason, owner, status, resolution). Dunning suppression merges both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import repository
from encours.casework.errors import CaseworkError
from encours.casework.models import DisputeRow
from encours.ledger.models import EntryRow
from encours.storage.base import utcnow

CATEGORIES = ("price", "quantity", "quality", "delivery", "billing", "other")


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class Dispute(NamedTuple):
    dispute_id: int
    customer_id: str
    entry_key: str
    invoice: str  # the document's reference
    reason: str
    owner: str | None
    status: DisputeStatus
    resolution: str | None
    opened_on: dt.date
    opened_at: dt.datetime
    opened_by: str
    closed_at: dt.datetime | None
    closed_by: str | None
    category: str | None = None


# a dispute as lists show it: its row, its invoice's key and reference, its customer
SHOWN = repository.with_customer(
    select(
        *DisputeRow.__table__.c, EntryRow.key.label("entry_key"), EntryRow.reference.label("invoice")
    ).join(EntryRow, EntryRow.id == DisputeRow.entry_id),
    DisputeRow.customer_pk,
)


def _dispute(row: Row[Any]) -> Dispute:
    return Dispute(
        row.id,
        row.customer_id,
        row.entry_key,
        row.invoice,
        row.reason,
        row.owner,
        DisputeStatus(row.status),
        row.resolution,
        row.opened_on,
        row.opened_at,
        row.opened_by,
        row.closed_at,
        row.closed_by,
        row.category,
    )


def _load(session: Session, rows: Sequence[DisputeRow]) -> list[Dispute]:
    ids = [row.id for row in rows]
    found = (
        {row.id: _dispute(row) for row in session.execute(SHOWN.where(DisputeRow.id.in_(ids)))} if ids else {}
    )
    return [found[i] for i in ids]


def _row(session: Session, dispute_id: int) -> DisputeRow:
    return repository.get_row(session, DisputeRow, dispute_id, "dispute")


def list_disputes(
    session: Session, customer_id: str | None = None, status: DisputeStatus | str | None = None
) -> list[Dispute]:
    return _load(session, repository.cases(session, DisputeRow, customer_id, status))


def dispute_page(
    session: Session, customer_id: str | None = None, status: DisputeStatus | str | None = None,
    *, offset: int = 0, limit: int = 50,
) -> repository.CasePage[Dispute]:  # fmt: skip
    """A page of disputes as the board shows them: open ones first, newest first."""
    found = repository.case_page(
        session, SHOWN, DisputeRow, DisputeStatus.OPEN.value, customer_id, status, offset=offset, limit=limit
    )
    names = {row.customer_id: row.customer_name for row in found.rows}
    return repository.CasePage(found.total, [_dispute(row) for row in found.rows], names)


def open_dispute(
    session: Session,
    customer_id: str,
    invoice: str,
    *,
    reason: str,
    actor: str,
    owner: str | None = None,
    opened_on: dt.date | None = None,
) -> Dispute:
    """Open a dispute on one invoice; one open dispute per invoice at a time."""
    if not reason.strip():
        raise CaseworkError.because("dispute_needs_reason", field="reason")
    customer = repository.customer(session, customer_id)
    [doc] = repository.entries(session, customer, [invoice])
    already = session.scalar(
        select(DisputeRow.id).where(DisputeRow.entry_id == doc.id, DisputeRow.status == DisputeStatus.OPEN)
    )
    if already is not None:
        raise CaseworkError.because(
            "dispute_open_already", field="invoice", invoice=doc.reference, dispute=already
        )
    row = DisputeRow(
        customer_pk=customer.pk,
        entry_id=doc.id,
        reason=reason.strip()[:255],
        owner=owner,
        status=DisputeStatus.OPEN.value,
        opened_on=opened_on or utcnow().date(),
        opened_at=utcnow(),
        opened_by=actor,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "dispute.opened",
        customer_id=customer.customer_id,
        subject=doc.key,
        details={"dispute_id": row.id, "reason": row.reason, "owner": owner},
    )
    return _load(session, [row])[0]


def _close(session: Session, dispute_id: int, status: DisputeStatus, resolution: str, actor: str) -> Dispute:
    row = _row(session, dispute_id)
    if row.status != DisputeStatus.OPEN:
        raise CaseworkError.because("dispute_closed", field="dispute", dispute=dispute_id, status=row.status)
    if not resolution.strip():
        raise CaseworkError.because("dispute_needs_resolution", field="resolution")
    row.status = status.value
    row.resolution = resolution.strip()
    row.closed_at = utcnow()
    row.closed_by = actor
    session.flush()
    dispute = _load(session, [row])[0]
    record(
        session,
        actor,
        f"dispute.{status.value}",
        customer_id=dispute.customer_id,
        subject=dispute.entry_key,
        details={"dispute_id": row.id, "resolution": row.resolution},
    )
    return dispute


def resolve_dispute(session: Session, dispute_id: int, *, resolution: str, actor: str) -> Dispute:
    """The customer was right or agreed: the invoice goes back to the scenario (if still open)."""
    return _close(session, dispute_id, DisputeStatus.RESOLVED, resolution, actor)


def reject_dispute(session: Session, dispute_id: int, *, resolution: str, actor: str) -> Dispute:
    """The claim is rejected: the invoice is due as issued and reminders resume."""
    return _close(session, dispute_id, DisputeStatus.REJECTED, resolution, actor)


def assign_dispute(session: Session, dispute_id: int, owner: str, *, actor: str) -> Dispute:
    """Hand the dispute to someone else; the audit trail keeps who had it before."""
    row = _row(session, dispute_id)
    if not owner.strip():
        raise CaseworkError.because("empty_owner", field="owner")
    previous, row.owner = row.owner, owner.strip()
    session.flush()
    dispute = _load(session, [row])[0]
    record(
        session,
        actor,
        "dispute.assigned",
        customer_id=dispute.customer_id,
        subject=dispute.entry_key,
        details={"dispute_id": row.id, "from": previous, "to": row.owner},
    )
    return dispute


def categorise_dispute(session: Session, dispute_id: int, category: str, *, actor: str) -> Dispute:
    """File the dispute under one of :data:`CATEGORIES` (price, quantity, quality...)."""
    if category not in CATEGORIES:
        raise CaseworkError.because(
            "unknown_category", field="category", category=category, expected=tuple(CATEGORIES)
        )
    row = _row(session, dispute_id)
    previous, row.category = row.category, category
    session.flush()
    dispute = _load(session, [row])[0]
    record(
        session, actor, "dispute.categorised", customer_id=dispute.customer_id, subject=dispute.entry_key,
        details={"dispute_id": row.id, "from": previous, "to": category},
    )  # fmt: skip
    return dispute
