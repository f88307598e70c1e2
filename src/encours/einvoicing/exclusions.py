"""The one rule dunning asks of the lifecycle: an invoice with a standing (210 Refusée, 213
Rejetée, 220 Annulée, 225 Affacturée, see ``statuses.standing``) is never dunned nor listed
on a statement.

``NOT_OUT_OF_DUNNING`` is the SQL condition on entries aliased ``e`` for set-wise candidate
selection; ``out_of_dunning`` answers for a few known invoices (a statement's).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.einvoicing.models import StandingRow
from encours.ledger.models import EntryRow
from encours.ledger.repository import chunks

NOT_OUT_OF_DUNNING = "NOT EXISTS (SELECT 1 FROM einvoice_standings es WHERE es.entry_id = e.id)"


def out_of_dunning(session: Session, keys: Iterable[str]) -> set[str]:
    """The ledger keys among ``keys`` that the lifecycle keeps out of dunning."""
    found: set[str] = set()
    for part in chunks(sorted(set(keys))):
        query = select(EntryRow.key).join(StandingRow, StandingRow.entry_id == EntryRow.id)
        found.update(session.scalars(query.where(EntryRow.key.in_(part))))
    return found
