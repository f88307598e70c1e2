"""Saved worklist views: a user names a set of filters (the worklist's query string) to open again."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from encours.casework.errors import CaseworkError
from encours.casework.workspace_models import SavedViewRow
from encours.storage.base import utcnow

MAX_VIEWS = 50


class SavedView(NamedTuple):
    view_id: int
    name: str
    query: str


def views(session: Session, user_id: int) -> list[SavedView]:
    query = select(SavedViewRow).where(SavedViewRow.user_id == user_id).order_by(SavedViewRow.name)
    rows = session.scalars(query)
    return [SavedView(r.id, r.name, r.query) for r in rows]


def save_view(session: Session, user_id: int, name: str, query: str) -> SavedView:
    """Save (or replace) the user's view ``name``; ``query`` is a query string without ``?``."""
    name = name.strip()
    if not name or len(name) > 80:
        raise CaseworkError.because("view_needs_name", field="name")
    if len(query) > 1000:
        raise CaseworkError.because("view_too_long", field="query")
    row = session.scalars(
        select(SavedViewRow).where(SavedViewRow.user_id == user_id, SavedViewRow.name == name)
    ).first()
    if row is None:
        if len(views(session, user_id)) >= MAX_VIEWS:
            raise CaseworkError.because("too_many_views", field="name", count=MAX_VIEWS)
        row = SavedViewRow(user_id=user_id, name=name, query=query, created_at=utcnow())
        session.add(row)
    else:
        row.query = query
    session.flush()
    return SavedView(row.id, row.name, row.query)


def delete_view(session: Session, user_id: int, view_id: int) -> None:
    session.execute(delete(SavedViewRow).where(SavedViewRow.user_id == user_id, SavedViewRow.id == view_id))
    session.flush()
