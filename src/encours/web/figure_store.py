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
from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from encours.storage.base import utcnow
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


def save(session: Session, key: str, name: str, value: T, shape: TypeAdapter[T]) -> None:
    """Store in the session's transaction; the latest value of a key replaces the previous one."""
    now = utcnow()
    row = {"key": key, "name": name, "computed_at": now, "payload": shape.dump_json(value).decode()}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = insert(FigureSnapshotRow).values(row)
    statement = upsert.on_conflict_do_update(
        index_elements=[FigureSnapshotRow.key],
        set_={"name": row["name"], "computed_at": row["computed_at"], "payload": row["payload"]},
    )
    stale = now - dt.timedelta(days=KEEP_DAYS)
    session.execute(delete(FigureSnapshotRow).where(FigureSnapshotRow.computed_at < stale))
    session.execute(statement)


def _lock_number(key: str) -> int:
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


def try_lock(session: Session, key: str) -> bool:
    """Take, for the session's transaction, the job of computing a slow figure: False while
    another process holds it (each worker would otherwise train the same model at the same
    time). A PostgreSQL advisory lock, released at commit or if the process dies; SQLite
    deployments run one process."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    query = text("SELECT pg_try_advisory_xact_lock(:number)")
    return bool(session.scalar(query, {"number": _lock_number(key)}))


def lock(session: Session, key: str) -> None:
    """The same job, waiting while another process holds it (for a figure a page waits for)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": _lock_number(key)})
