"""Many events appended at once read back like events recorded one by one; counts by action."""

from __future__ import annotations

import datetime as dt

from encours.audit.service import AuditEvent, action_counts, events, record, record_many
from encours.storage.database import get_engine, unit_of_work

AT = dt.datetime(2026, 10, 1, 9, 30, tzinfo=dt.UTC)


def test_record_many_reads_back_like_record(db_url: str) -> None:
    engine = get_engine(db_url)
    many = [
        AuditEvent(AT, "cli", "dunning.decided", f"C{n}", f"action:{n}", {"run": 1, "invoice_ids": [f"F{n}"]})
        for n in range(3)
    ]
    with unit_of_work(engine) as session:
        record(session, "cli", "dunning.run", subject="run:1", details={"actions": 3}, at=AT)
        session.flush()
        record_many(session, many)
        record_many(session, [])
    with unit_of_work(engine) as session:
        found = list(reversed(events(session)))
        assert found[1:] == many
        assert found[0].action == "dunning.run"
        assert action_counts(session, "dunning.", AT) == [("dunning.decided", 3), ("dunning.run", 1)]
        assert action_counts(session, "dunning.", AT + dt.timedelta(seconds=1)) == []
        assert action_counts(session, "dunning_", AT) == []  # the prefix is literal, "_" is no wildcard
