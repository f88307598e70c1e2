"""Disputes, holds, notes, assignment, tasks and the timeline through their services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.casework.conftest import D

from encours.audit.service import events, record
from encours.casework import assignment, disputes, holds, notes, promises, tasks, timeline
from encours.casework.errors import CaseworkError, NotFound
from encours.casework.models import DisputeRow, NoteRow, PromiseRow, TaskRow
from encours.users.service import UserService


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def test_dispute_lifecycle(sqlite_session: Session) -> None:
    session = sqlite_session
    opened = disputes.open_dispute(
        session,
        "BETA",
        "C1",
        reason="delivery incomplete",
        owner="dora",
        actor="ana",
        opened_on=D(2026, 3, 2),
    )
    assert (opened.entry_key, opened.invoice, opened.status, opened.owner) == ("doc:C1", "C1", "open", "dora")
    with pytest.raises(CaseworkError, match="already has an open dispute"):
        disputes.open_dispute(session, "BETA", "doc:C1", reason="again", actor="ana")
    disputes.assign_dispute(session, opened.dispute_id, "eric", actor="dora")
    closed = disputes.reject_dispute(
        session, opened.dispute_id, resolution="delivery note signed", actor="eric"
    )
    assert (closed.status, closed.resolution, closed.closed_by, closed.owner) == (
        "rejected",
        "delivery note signed",
        "eric",
        "eric",
    )
    with pytest.raises(CaseworkError, match="already rejected"):
        disputes.resolve_dispute(session, opened.dispute_id, resolution="x", actor="eric")
    again = disputes.open_dispute(
        session, "BETA", "C1", reason="quality", actor="ana"
    )  # a new one is allowed
    assert [d.dispute_id for d in disputes.list_disputes(session, "BETA", "open")] == [again.dispute_id]
    actions = [(e.action, e.actor) for e in reversed(events(session, "BETA"))]
    assert actions == [
        ("dispute.opened", "ana"),
        ("dispute.assigned", "dora"),
        ("dispute.rejected", "eric"),
        ("dispute.opened", "ana"),
    ]


def test_bad_disputes(sqlite_session: Session) -> None:
    with pytest.raises(CaseworkError) as caught:
        disputes.open_dispute(sqlite_session, "BETA", "C1", reason="  ", actor="ana")
    assert caught.value.field == "reason"
    with pytest.raises(NotFound):
        disputes.open_dispute(sqlite_session, "BETA", "A1", reason="not BETA's", actor="ana")
    with pytest.raises(NotFound):
        disputes.resolve_dispute(sqlite_session, 42, resolution="x", actor="ana")
    assert sqlite_session.scalars(select(DisputeRow)).all() == []


def test_holds(sqlite_session: Session) -> None:
    session = sqlite_session
    first = holds.place_hold(
        session, "ACME", "litigation", actor="ana", start_date=D(2026, 3, 1), reason="lawyer"
    )
    assert holds.place_hold(session, "ACME", "litigation", actor="ana", start_date=D(2026, 3, 5)) == first
    status = holds.customer_status(session, "ACME", D(2026, 3, 5))
    assert (status.paused, status.credit_hold, status.litigation) == (True, False, holds.HoldKind.LITIGATION)
    assert not holds.customer_status(session, "ACME", D(2026, 2, 28)).paused  # not yet in force
    holds.place_hold(session, "ACME", "credit_hold", actor="ana", start_date=D(2026, 3, 1))
    holds.release_hold(session, "ACME", "litigation", actor="bob")
    status = holds.customer_status(session, "ACME", D(2026, 3, 5))
    assert (status.paused, status.credit_hold, status.litigation) == (False, True, None)
    with pytest.raises(CaseworkError, match="no litigation to release"):
        holds.release_hold(session, "ACME", "litigation", actor="bob")
    with pytest.raises(CaseworkError) as caught:
        holds.place_hold(session, "ACME", "holiday", actor="ana", start_date=D(2026, 3, 1))
    assert caught.value.field == "kind"
    with pytest.raises(CaseworkError):
        holds.place_hold(
            session, "ACME", "pause", actor="ana", start_date=D(2026, 3, 2), end_date=D(2026, 3, 1)
        )
    assert [h.kind for h in holds.history(session, "ACME")] == ["litigation", "credit_hold"]


def test_notes_on_customers_and_invoices(sqlite_session: Session) -> None:
    session = sqlite_session
    notes.add_note(session, "ACME", "Called the accountant", author="ana")
    on_invoice = notes.add_note(session, "ACME", "PO number missing", author="bob", invoice="A2")
    assert on_invoice.entry_key == "doc:A2"
    assert [n.body for n in notes.list_notes(session, "ACME")] == [
        "Called the accountant",
        "PO number missing",
    ]
    assert [n.author for n in notes.list_notes(session, "ACME", "A2")] == ["bob"]
    with pytest.raises(CaseworkError):
        notes.add_note(session, "ACME", "   ", author="ana")
    with pytest.raises(NotFound):
        notes.add_note(session, "ACME", "x", author="ana", invoice="C1")
    assert [e.actor for e in events(session, "ACME") if e.action == "note.added"] == ["bob", "ana"]


def test_assignment_routes_tasks(sqlite_session: Session) -> None:
    session = sqlite_session
    assert assignment.assignees(session, "ACME") == assignment.Assignees("ACME", None, "rita")  # imported rep
    task = tasks.create_task(session, "ACME", "call", "Call about A2", D(2026, 3, 20))
    assert task.assignee is None  # rita is not a user of Encours: the task waits, unassigned
    UserService(session).create("rita@example.com", "sales", "Quartz-ravine-tabouret-1987", actor="test")
    assignment.assign(session, "ACME", "sales_rep", "rita@example.com", actor="boss")
    assert (
        tasks.create_task(session, "ACME", "call", "Call again", D(2026, 3, 21)).assignee
        == "rita@example.com"
    )
    assignment.assign(session, "ACME", "collector", "colette", actor="boss")
    assignment.assign(session, "ACME", "sales_rep", "sam", actor="boss")
    assignment.assign(session, "BETA", "collector", "colette", actor="boss")
    assert assignment.assignees(session, "ACME") == assignment.Assignees("ACME", "colette", "sam")
    assert assignment.portfolio(session, "colette") == ["ACME", "BETA"]
    assert assignment.portfolio(session, "sam", "collector") == []
    # colette is not a user: the task goes to the next person who is (the sales rep, then nobody)
    assert tasks.create_task(session, "ACME", "call", "Second call", D(2026, 3, 25)).assignee is None
    assignment.unassign(session, "ACME", "collector", actor="boss")
    assert assignment.assignees(session, "ACME").collector is None
    with pytest.raises(CaseworkError):
        assignment.assign(session, "ACME", "boss", "x", actor="boss")


def test_task_list_by_due_date(sqlite_session: Session) -> None:
    session = sqlite_session
    later = tasks.create_task(session, "BETA", "call", "Call BETA", D(2026, 3, 25), assignee="colette")
    sooner = tasks.create_task(
        session,
        "ACME",
        "letter",
        "Check letter",
        D(2026, 3, 20),
        assignee="colette",
        entry_keys=["doc:A2"],
        source="dunning",
        ref="action:7",
    )
    again = tasks.create_task(session, "ACME", "letter", "Check letter", D(2026, 3, 20), ref="action:7")
    assert again.task_id == sooner.task_id  # same source event, same task
    assert [t.task_id for t in tasks.list_tasks(session, assignee="colette")] == [
        sooner.task_id,
        later.task_id,
    ]
    assert [t.task_id for t in tasks.list_tasks(session, due_by=D(2026, 3, 21))] == [sooner.task_id]
    tasks.close_task(session, sooner.task_id, "colette", "promised on the phone")
    with pytest.raises(CaseworkError, match="already done"):
        tasks.close_task(session, sooner.task_id, "colette")
    assert [t.task_id for t in tasks.list_tasks(session)] == [later.task_id]
    [done] = tasks.list_tasks(session, status="done")
    assert (done.outcome, done.closed_by, done.entry_keys) == (
        "promised on the phone",
        "colette",
        ("doc:A2",),
    )
    assert tasks.reassign_task(session, later.task_id, "dan", "boss").assignee == "dan"
    with pytest.raises(CaseworkError):
        tasks.create_task(session, "ACME", "call", " ", D(2026, 3, 20))
    with pytest.raises(NotFound):
        tasks.create_task(session, "NOPE", "call", "x", D(2026, 3, 20))


def test_timeline_orders_everything(session: Session) -> None:
    record(
        session,
        "system",
        "dunning.sent",
        customer_id="ACME",
        subject="action:1",
        details={"step": "reminder", "channel": "email", "invoice_ids": ["A2"]},
        at=at(D(2026, 3, 6), 8),
    )
    record(session, "ana", "note.added", customer_id="ACME", at=at(D(2026, 3, 6), 9))  # not a dunning event
    dispute = disputes.open_dispute(
        session, "ACME", "A2", reason="price", actor="ana", opened_on=D(2026, 3, 10)
    )
    promise = promises.make_promise(
        session,
        "ACME",
        Decimal("3000.00"),
        D(2026, 3, 20),
        invoices=["A3"],
        actor="ana",
        made_on=D(2026, 3, 15),
    )
    note = notes.add_note(session, "ACME", "will pay A3 on the 20th", author="ana")
    task = tasks.create_task(session, "ACME", "call", "Call back", D(2026, 3, 16), source="manual")
    tasks.close_task(session, task.task_id, "ana", "no answer")
    # give the rows business timestamps instead of the clock's
    session.get_one(DisputeRow, dispute.dispute_id).opened_at = at(D(2026, 3, 10), 9)
    session.get_one(PromiseRow, promise.promise_id).created_at = at(D(2026, 3, 15), 10)
    session.get_one(NoteRow, note.note_id).created_at = at(D(2026, 3, 15), 9)
    row = session.get_one(TaskRow, task.task_id)
    row.created_at, row.closed_at = at(D(2026, 3, 15), 11), at(D(2026, 3, 16), 14)
    session.flush()
    items = timeline.timeline(session, "ACME")
    assert [(i.day, i.kind, i.event) for i in items] == [
        (D(2026, 1, 1), "invoice", "issued"),
        (D(2026, 2, 1), "invoice", "issued"),
        (D(2026, 2, 15), "invoice", "issued"),
        (D(2026, 2, 20), "payment", "received"),
        (D(2026, 3, 6), "dunning", "sent"),
        (D(2026, 3, 10), "dispute", "opened"),
        (D(2026, 3, 15), "note", "added"),
        (D(2026, 3, 15), "promise", "made"),
        (D(2026, 3, 15), "call", "planned"),
        (D(2026, 3, 16), "call", "done"),
    ]
    assert items[4].title == "sent: reminder, email, invoices A2"
    assert items[-1].title == "Call back done: no answer"
    assert (items[7].amount, items[7].actor) == (Decimal("3000.00"), "ana")
    assert [
        i.kind for i in timeline.timeline(session, "ACME", since=D(2026, 3, 10), until=D(2026, 3, 15))
    ] == [
        "dispute",
        "note",
        "promise",
        "call",
    ]
    assert timeline.timeline(session, "ACME", newest_first=True) == list(reversed(items))
