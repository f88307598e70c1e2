"""Lifecycle statuses on the customer timeline: each on its French business day, with its code,
its label and the message's reason (or, for 211, the payment the buyer announces)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.casework import repository
from encours.casework import timeline as casework_timeline
from encours.casework.repository import CustomerRef
from encours.casework.timeline import TimelineItem
from encours.domain.money import from_cents
from encours.einvoicing.models import StatusRow
from encours.einvoicing.statuses import label

KIND = "einvoice"


def status_title(code: int, invoice: str, reason_code: str, reason: str, expected: str = "") -> str:
    """``207 En litige / Disputed, F202500006: TX_TVA_ERR Taux de TVA erroné``."""
    detail = " ".join(part for part in (reason_code, reason) if part)
    title = f"{code} {label(code, 'fr')} / {label(code, 'en')}, {invoice}"
    title += f" (expected {expected})" if expected else ""
    return title + (f": {detail}" if detail else "")


def status_items(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(StatusRow).where(StatusRow.customer_pk == owner.pk)).all()
    docs = repository.entries_by_id(session, {row.entry_id for row in rows})
    found = []
    for row in rows:
        expected = row.expected_on.isoformat() if row.expected_on else ""
        title = status_title(row.code, docs[row.entry_id].reference, row.reason_code, row.reason, expected)
        amount = None if row.amount_cents is None else from_cents(row.amount_cents)
        found.append(
            TimelineItem(
                row.status_on,
                row.status_at,
                KIND,
                str(row.code),
                title,
                "einvoice",
                amount,
                row.currency if amount is not None else None,
                f"einvoice:{row.id}",
            )
        )
    return found


casework_timeline.add_source(
    status_items, lambda owner: select(StatusRow.id).where(StatusRow.customer_pk == owner.pk)
)
