"""Boards paged in SQL, on SQLite and PostgreSQL: with more cases than a page, each page holds
the right cases in the board's order (open first, newest first), the count is over every page,
and filters (customer, status) apply before the cut."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.casework.conftest import D

from encours.casework import disputes, holds, promises, queries, tasks
from encours.web import boards

AS_OF = D(2026, 4, 30)


def _disputes(session: Session) -> tuple[list[int], list[int]]:
    """Eight disputes on four invoices, five closed and three left open (the open ones are
    neither the newest nor the oldest): (open ids, closed ids)."""
    opened: list[int] = []
    closed: list[int] = []
    for n, (customer, invoice) in enumerate(
        [("ACME", "A2"), ("BETA", "C1"), ("ACME", "A3"), ("GAMMA", "D1")] * 2
    ):
        case = disputes.open_dispute(session, customer, invoice, reason="price", actor="ana")
        if n in (4, 5, 7):
            opened.append(case.dispute_id)
        else:
            disputes.resolve_dispute(session, case.dispute_id, resolution="credit note", actor="ana")
            closed.append(case.dispute_id)
    return opened, closed


def test_dispute_pages_are_cut_in_order_with_the_total(session: Session) -> None:
    opened, closed = _disputes(session)
    assert len(opened) == 3 and len(closed) == 5
    expected = sorted(opened, reverse=True) + sorted(closed, reverse=True)
    pages = [disputes.dispute_page(session, offset=start, limit=3) for start in (0, 3, 6, 9)]
    assert [page.total for page in pages] == [8, 8, 8, 8]
    assert [[d.dispute_id for d in page.rows] for page in pages] == [
        expected[0:3], expected[3:6], expected[6:8], [],
    ]  # fmt: skip
    # a page that straddles the open and the closed cases
    assert [d.dispute_id for d in disputes.dispute_page(session, offset=2, limit=3).rows] == expected[2:5]


def test_dispute_filters_apply_before_paging(session: Session) -> None:
    _, closed = _disputes(session)
    resolved = disputes.dispute_page(session, status="resolved", offset=1, limit=2)
    assert resolved.total == 5
    assert [d.dispute_id for d in resolved.rows] == sorted(closed, reverse=True)[1:3]
    acme = disputes.dispute_page(session, "ACME", offset=0, limit=10)
    everything = disputes.dispute_page(session, offset=0, limit=100).rows
    assert [d.dispute_id for d in acme.rows] == [d.dispute_id for d in everything if d.customer_id == "ACME"]
    assert acme.total == len(acme.rows) == 4
    assert {d.customer_id for d in disputes.dispute_page(session, "ACME", "open", limit=1).rows} <= {"ACME"}


def test_board_names_customers_and_counts_pages(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _disputes(session)
    monkeypatch.setattr(boards, "PAGE", 3)
    board = boards.dispute_board(session, boards.CaseFilter(), page=3)
    assert (board.total, board.page, board.pages) == (8, 3, 3)
    assert len(board.rows) == 2
    assert {name for name, _ in board.rows} <= {"Acme SA", "Béta SARL", "Gamma"}
    past_the_end = boards.dispute_board(session, boards.CaseFilter(), page=9)
    assert past_the_end.page == 3 and past_the_end.rows == board.rows
    first = boards.dispute_board(session, boards.CaseFilter(status="open"), page=1)
    assert first.total == 3 and all(d.status == "open" for _, d in first.rows)


def test_promise_pages_put_open_promises_first(session: Session) -> None:
    made = [
        promises.make_promise(
            session, customer, Decimal("10.00"), D(2026, 5, 15), actor="ana", invoices=[invoice], as_of=AS_OF
        ).promise_id
        for customer, invoice in [("ACME", "A2"), ("ACME", "A3"), ("BETA", "C1"), ("GAMMA", "D1"),
                                  ("ACME2", "B1")]
    ]  # fmt: skip
    promises.set_outcome(session, made[3], "kept", actor="ana", as_of=AS_OF)
    promises.set_outcome(session, made[1], "broken", actor="ana", as_of=AS_OF)
    order = [made[4], made[2], made[0], made[3], made[1]]  # open by newest, then the others by newest
    first = promises.promise_page(session, offset=0, limit=2)
    second = promises.promise_page(session, offset=2, limit=2)
    assert (first.total, second.total) == (5, 5)
    assert [p.promise_id for p in first.rows + second.rows] == order[:4]
    broken = promises.promise_page(session, status="broken")
    assert (broken.total, [p.promise_id for p in broken.rows]) == (1, [made[1]])


def test_litigation_board_pages_the_earliest_hand_over_of_each_customer(session: Session) -> None:
    holds.place_hold(session, "BETA", "litigation", actor="ana", start_date=D(2026, 3, 1), reason="court")
    holds.place_hold(session, "ACME", "agency", actor="ana", start_date=D(2026, 2, 1), reason="agency")
    holds.place_hold(session, "ACME", "litigation", actor="ana", start_date=D(2026, 4, 1), reason="later")
    holds.place_hold(session, "GAMMA", "agency", actor="ana", start_date=D(2026, 3, 15))
    holds.place_hold(session, "ACME2", "pause", actor="ana", start_date=D(2026, 1, 1))  # not a hand-over
    first = queries.litigation_board(session, AS_OF, offset=0, limit=2)
    rest = queries.litigation_board(session, AS_OF, offset=2, limit=2)
    assert (first.total, rest.total) == (3, 3)
    assert [(h.customer_id, h.kind, h.since) for h in first.rows + rest.rows] == [
        ("ACME", "agency", D(2026, 2, 1)), ("BETA", "litigation", D(2026, 3, 1)),
        ("GAMMA", "agency", D(2026, 3, 15)),
    ]  # fmt: skip
    assert dict(first.rows[0].balances)["EUR"] == Decimal("3800.00")  # A2 + A3, A1 paid
    assert queries.litigation_board(session, D(2026, 2, 15)).total == 1  # only ACME's by then
    assert queries.handed_over_ids(session, AS_OF) == {"ACME", "BETA", "GAMMA"}


def test_litigation_pages_cut_inside_a_start_date_in_customer_order(session: Session) -> None:
    """Hand-overs of one day are ordered by customer id, and a page may begin or end inside a
    day: every cut gives the slice of the whole board."""
    for customer, day in [("GAMMA", 2), ("ACME2", 2), ("BETA", 2), ("ACME", 3)]:
        holds.place_hold(session, customer, "litigation", actor="ana", start_date=D(2026, 3, day))
    whole = [(h.customer_id, h.since) for h in queries.litigation_board(session, AS_OF).rows]
    assert whole == [("ACME2", D(2026, 3, 2)), ("BETA", D(2026, 3, 2)), ("GAMMA", D(2026, 3, 2)),
                     ("ACME", D(2026, 3, 3))]  # fmt: skip
    for offset in range(5):
        for limit in (1, 2, 3):
            page = queries.litigation_board(session, AS_OF, offset=offset, limit=limit)
            assert page.total == 4
            assert [(h.customer_id, h.since) for h in page.rows] == whole[offset : offset + limit]
    assert dict(queries.litigation_board(session, AS_OF, offset=3, limit=1).rows[0].balances) == {
        "EUR": Decimal("3800.00")
    }


def test_task_queue_pages_in_due_date_order(session: Session) -> None:
    made = [
        tasks.create_task(session, "ACME", "call", f"call {n}", D(2026, 4, 1 + (n * 7) % 4), assignee="ana")
        for n in range(7)
    ]  # fmt: skip
    tasks.create_task(session, "BETA", "call", "someone else's", D(2026, 4, 1), assignee="bob")
    every = tasks.list_tasks(session, assignee="ana")
    assert [t.task_id for t in every] == [
        t.task_id for t in sorted(made, key=lambda t: (t.due_date, t.task_id))
    ]
    pages = [tasks.task_page(session, assignee="ana", offset=start, limit=3) for start in (0, 3, 6)]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [t.task_id for p in pages for t in p.rows] == [t.task_id for t in every]
    calls = tasks.task_page(session, assignee="ana", kind="letter")
    assert (calls.total, calls.rows) == (0, [])
