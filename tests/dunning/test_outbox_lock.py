"""The outbox's bucket locks on PostgreSQL: held for the whole delivery, without a transaction."""

from __future__ import annotations

from sqlalchemy import text

from encours.dunning.run_lock import BUCKETS, Shard, outbox_lock
from encours.storage.database import get_engine

HELD = """
SELECT a.state, a.backend_xmin IS NULL FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND a.pid <> pg_backend_pid() AND a.datname = current_database()
"""


def test_a_deliverer_holds_its_buckets_without_keeping_a_transaction_open(postgres_url: str) -> None:
    engine = get_engine(postgres_url)
    with outbox_lock(engine, Shard(1, 2)):
        with engine.connect() as connection:
            held = connection.execute(text(HELD)).all()
        # every bucket of the shard is locked, by a session that is idle: no snapshot held for
        # the delivery's length (vacuum goes on), no transaction to roll back
        assert held == [("idle", True)] * (BUCKETS // 2)
    with engine.connect() as connection:
        assert connection.execute(text(HELD)).all() == []  # released at the end
