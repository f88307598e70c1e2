"""Whole-ledger figures shared by the server's processes through the database.

Each worker process keeps its own in-memory cache (encours.web.cache); this store lets the
first process that computes a figure hand it to the others, so a second worker does not
spend seconds recomputing the dashboard on its first request. Figures are stored as JSON
through a pydantic type adapter (never pickled: the database must not be able to run code).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from encours.storage.base import utcnow
from encours.storage.database import unit_of_work
from encours.web.models import FigureSnapshotRow

T = TypeVar("T")
KEEP_DAYS = 1  # older snapshots are deleted when a new one is stored


def snapshot_key(name: str, parts: tuple[Any, ...]) -> str:
    """A stable key for a figure, its ledger state and its arguments (all plain values)."""
    return hashlib.sha256(repr((name, *parts)).encode()).hexdigest()


def load(session: Session, key: str, shape: TypeAdapter[T], max_age: float) -> T | None:
    """The snapshot if one younger than ``max_age`` seconds is stored (figures are never None)."""
    oldest = utcnow() - dt.timedelta(seconds=max_age)
    payload = session.scalar(
        select(FigureSnapshotRow.payload).where(
            FigureSnapshotRow.key == key, FigureSnapshotRow.computed_at >= oldest
        )
    )
    if payload is None:
        return None
    try:
        return shape.validate_json(payload)
    except ValidationError:  # stored by an older version of the figure: compute it again
        return None


def _upsert(engine: Engine, row: dict[str, Any], only_older_than: dt.datetime | None = None) -> bool:
    """Insert or replace the row (only a row older than ``only_older_than`` if given), in its own
    short transaction; True when this call wrote it."""
    insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
    upsert = insert(FigureSnapshotRow).values(row)
    statement = upsert.on_conflict_do_update(
        index_elements=[FigureSnapshotRow.key],
        set_={"name": row["name"], "computed_at": row["computed_at"], "payload": row["payload"]},
        where=None if only_older_than is None else FigureSnapshotRow.computed_at < only_older_than,
    ).returning(FigureSnapshotRow.key)
    with unit_of_work(engine) as session:
        stale = row["computed_at"] - dt.timedelta(days=KEEP_DAYS)
        session.execute(delete(FigureSnapshotRow).where(FigureSnapshotRow.computed_at < stale))
        return session.execute(statement).first() is not None


def save(engine: Engine, key: str, name: str, value: T, shape: TypeAdapter[T]) -> None:
    payload = shape.dump_json(value).decode()
    _upsert(engine, {"key": key, "name": name, "computed_at": utcnow(), "payload": payload})


def claim(engine: Engine, key: str, seconds: float) -> bool:
    """Take the job of computing a slow figure for ``seconds``: False while another process
    holds it (each worker would otherwise train the same model at the same time)."""
    now = utcnow()
    row = {"key": snapshot_key("claim", (key,)), "name": "claim", "computed_at": now, "payload": ""}
    return _upsert(engine, row, only_older_than=now - dt.timedelta(seconds=seconds))
