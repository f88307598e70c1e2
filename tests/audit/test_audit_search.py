"""The audit trail's filters (the view and GET /api/v1/audit): same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from encours.audit.service import AuditEvent, AuditFilter, action_kinds, record_many, search
from encours.storage.database import get_engine, unit_of_work

DAY = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


def test_filters_and_pages(db_url: str) -> None:
    engine = get_engine(db_url)
    events = [
        AuditEvent(DAY, "alice@x.fr", "user.created", None, "bob@x.fr", {}),
        AuditEvent(DAY + dt.timedelta(days=1), "bob@x.fr", "note.added", "C1", None, {"text": "appel"}),
        AuditEvent(DAY + dt.timedelta(days=2), "bob@x.fr", "note.added", "C2", None, {}),
        AuditEvent(DAY + dt.timedelta(days=3), "cli", "user_x.odd", "C1", None, {}),  # "user" is not its kind
    ]
    with unit_of_work(engine) as session:
        record_many(session, events)
    with unit_of_work(engine) as session:

        def actions(**where: object) -> list[str]:
            return [e.action for e in search(session, AuditFilter(**where)).events]  # type: ignore[arg-type]

        assert actions() == ["user_x.odd", "note.added", "note.added", "user.created"]  # latest first
        assert actions(customer_id="C1") == ["user_x.odd", "note.added"]
        assert actions(actor="bob@x.fr", customer_id="C2") == ["note.added"]
        assert actions(action="user") == ["user.created"]
        assert actions(action="note.added") == ["note.added", "note.added"]
        assert (
            actions(since=DAY + dt.timedelta(days=1), until=DAY + dt.timedelta(days=3)) == ["note.added"] * 2
        )
        first = search(session, AuditFilter(), 0, 3)
        rest = search(session, AuditFilter(), 3, 3)
        assert first.more and not rest.more and [e.action for e in rest.events] == ["user.created"]
        assert first.total == rest.total == 4
        assert search(session, AuditFilter(customer_id="C1")).total == 2
        assert action_kinds(session) == ["note", "user", "user_x"]
