"""Notes and comments on customers and their invoices, each signed by its author."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import repository
from encours.casework.errors import CaseworkError
from encours.casework.models import NoteRow
from encours.storage.base import utcnow

MAX_NOTE = 10_000


class Note(NamedTuple):
    note_id: int
    customer_id: str
    entry_key: str | None  # None: a note on the customer
    author: str
    body: str
    created_at: dt.datetime


def _load(session: Session, rows: Sequence[NoteRow]) -> list[Note]:
    names = repository.customers_by_pk(session, {row.customer_pk for row in rows})
    docs = repository.entries_by_id(session, {row.entry_id for row in rows if row.entry_id is not None})
    return [
        Note(
            row.id,
            names[row.customer_pk],
            None if row.entry_id is None else docs[row.entry_id].key,
            row.author,
            row.body,
            row.created_at,
        )
        for row in rows
    ]


def add_note(
    session: Session, customer_id: str, body: str, *, author: str, invoice: str | None = None
) -> Note:
    """Attach a note to the customer, or to one of its documents when ``invoice`` is given."""
    text = body.strip()
    if not text:
        raise CaseworkError.because("empty_note", field="body")
    if len(text) > MAX_NOTE:
        raise CaseworkError.because("note_too_long", field="body", count=MAX_NOTE)
    if not author.strip():
        raise CaseworkError.because("note_needs_author", field="author")
    owner = repository.customer(session, customer_id)
    doc = None if invoice is None else repository.entry(session, owner, invoice)
    row = NoteRow(
        customer_pk=owner.pk,
        entry_id=None if doc is None else doc.id,
        author=author,
        body=text,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        author,
        "note.added",
        customer_id=owner.customer_id,
        subject=None if doc is None else doc.key,
        details={"note_id": row.id, "body": text[:500]},
    )
    return _load(session, [row])[0]


def list_notes(session: Session, customer_id: str, invoice: str | None = None) -> list[Note]:
    """Notes of a customer (all of them, or only those on one invoice), oldest first."""
    owner = repository.customer(session, customer_id)
    query = select(NoteRow).where(NoteRow.customer_pk == owner.pk).order_by(NoteRow.created_at, NoteRow.id)
    if invoice is not None:
        query = query.where(NoteRow.entry_id == repository.entry(session, owner, invoice).id)
    return _load(session, session.scalars(query).all())
