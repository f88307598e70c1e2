"""One deliverer of the outbox at a time, across processes."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

from sqlalchemy import Engine, text

OUTBOX_LOCK_KEY = 4_410_441_005  # PostgreSQL advisory lock of the dunning outbox


@contextlib.contextmanager
def outbox_lock(engine: Engine) -> Iterator[None]:
    """One deliverer at a time; the lock dies with its process, so a crash never leaves it held.

    PostgreSQL: a session advisory lock. SQLite: an exclusive ``flock`` on a file beside the
    database. A second run waits, then finds only what the first one left pending.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": OUTBOX_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": OUTBOX_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.outbox-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
