"""Who may deliver which customers' actions: one deliverer per customer bucket, across processes.

Customers fall in ``BUCKETS`` buckets (``customer_pk % BUCKETS``). A deliverer locks every
bucket of its shard, in order (no deadlock): the whole outbox locks them all, shard ``i`` of
``n`` the buckets ``b`` with ``b % n == i``. Shards of one run deliver side by side on
several workers; any two deliverers that could reach the same customer wait for each other,
whatever shard counts they use, so no action is ever in two deliverers' hands.

Within one process deliverers take turns (``_one_per_process``): a process has at most one
message in flight, so a ``kill -9`` can repeat at most that one.

PostgreSQL: session advisory locks; SQLite: ``lockf`` byte ranges of a file beside the
database (one byte per bucket). Both die with their process, so a crash never leaves one held.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import Engine, text

OUTBOX_LOCK_KEY = 4_410_441_005  # PostgreSQL advisory locks of the dunning outbox: this key + bucket
BUCKETS = 64
_one_per_process = threading.Lock()


class Shard(NamedTuple):
    """Part ``part`` of ``parts`` of the outbox, by customer."""

    part: int = 0
    parts: int = 1

    def buckets(self) -> list[int]:
        return [b for b in range(BUCKETS) if b % self.parts == self.part]

    def holds(self, customer_pk: int) -> bool:
        return (customer_pk % BUCKETS) % self.parts == self.part


WHOLE = Shard()


@contextlib.contextmanager
def outbox_lock(engine: Engine, shard: Shard = WHOLE) -> Iterator[None]:
    """Hold the buckets of ``shard``; a second deliverer of any of them waits, then finds only
    what the first one left pending."""
    if shard.parts < 1 or not 0 <= shard.part < shard.parts:
        raise ValueError(f"no shard {shard.part} of {shard.parts}")
    with _one_per_process, _buckets_locked(engine, shard.buckets()):
        yield


@contextlib.contextmanager
def _buckets_locked(engine: Engine, buckets: list[int]) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            for bucket in buckets:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": OUTBOX_LOCK_KEY + bucket})
            # session locks outlive the transaction: ending it keeps no snapshot open for the
            # whole delivery (hours at scale), which would stop vacuum everywhere meanwhile
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock_all()"))
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.outbox-lock", "a+b") as handle:
        for bucket in buckets:
            fcntl.lockf(handle, fcntl.LOCK_EX, 1, bucket, 0)
        try:
            yield
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN, BUCKETS, 0, 0)
