"""The boards collectors act on: disputes, promises, payment plans, litigation and the task
queue, a page at a time, with names.

Rows come from casework's paged reads (filtered, counted, ordered and cut in SQL: open cases
first, newest first); only the page's customers are named and, for plans, evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy.orm import Session

from encours.casework import disputes, plans, promises, queries, tasks
from encours.casework.repository import CasePage
from encours.domain.plans import InstalmentState, InstalmentStatus
from encours.ledger import segments

PAGE = 50  # cases per board page
TASKS_PAGE = 100  # tasks per page of the queue
T = TypeVar("T")
R = TypeVar("R")


class Board(NamedTuple, Generic[R]):
    rows: list[R]
    total: int
    page: int
    pages: int


class CaseFilter(NamedTuple):
    """What a board shows: one customer's cases or all, in one status or all."""

    customer_id: str | None = None
    status: str | None = None


def pages_of(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _board(
    read: Callable[[int, int], CasePage[T]], page: int, size: int, shape: Callable[[CasePage[T]], list[R]]
) -> Board[R]:
    """The page asked for (the last one when past the end), read with ``read(offset, limit)``."""
    found = read((page - 1) * size, size)
    pages = pages_of(found.total, size)
    if page > pages:  # past the end (cases closed meanwhile): the last page
        page = pages
        found = read((page - 1) * size, size)
    return Board(shape(found), found.total, page, pages)


def _named(session: Session, found: CasePage[T], customer_id: Callable[[T], str]) -> list[tuple[str, T]]:
    """Each row with its customer's name: those the page was read with, else one query."""
    named = found.names or segments.names(session, [customer_id(r) for r in found.rows])
    return [(named.get(customer_id(r), customer_id(r)), r) for r in found.rows]


Named = tuple[str, T]  # a row with its customer's name


def dispute_board(session: Session, filters: CaseFilter, page: int = 1) -> Board[Named[disputes.Dispute]]:
    return _board(
        lambda offset, limit: disputes.dispute_page(session, *filters, offset=offset, limit=limit),
        page, PAGE, lambda found: _named(session, found, lambda d: d.customer_id),
    )  # fmt: skip


def promise_board(session: Session, filters: CaseFilter, page: int = 1) -> Board[Named[promises.Promise]]:
    return _board(
        lambda offset, limit: promises.promise_page(session, *filters, offset=offset, limit=limit),
        page, PAGE, lambda found: _named(session, found, lambda p: p.customer_id),
    )  # fmt: skip


class PlanRow(NamedTuple):
    name: str
    plan: plans.Plan
    instalments: list[tuple[InstalmentState, str]]  # each with how the board says it (:func:`shown_as`)
    paid: Decimal  # the instalments' amounts already covered


def shown_as(instalment: InstalmentState, as_of: dt.date) -> str:
    """paid (kept), late (broken, or due before ``as_of`` with something left), else pending."""
    if instalment.status == InstalmentStatus.KEPT:
        return "paid"
    overdue = instalment.due_date < as_of and instalment.remaining > 0
    return "late" if instalment.status == InstalmentStatus.BROKEN or overdue else "pending"


def _plan_rows(session: Session, found: CasePage[plans.Plan], as_of: dt.date) -> list[PlanRow]:
    """Each plan of the page with its instalments' states at ``as_of`` (paid, late, pending)."""
    states = plans.states_of(session, found.rows, as_of)
    rows = []
    for name, p in _named(session, found, lambda p: p.customer_id):
        shown = states.get(p.plan_id) or list(p.instalments)
        paid = sum((i.amount - i.remaining for i in shown), Decimal(0))
        rows.append(PlanRow(name, p, [(i, shown_as(i, as_of)) for i in shown], paid))
    return rows


def plan_board(session: Session, as_of: dt.date, filters: CaseFilter, page: int = 1) -> Board[PlanRow]:
    return _board(
        lambda offset, limit: plans.plan_page(session, *filters, offset=offset, limit=limit),
        page, PAGE, lambda found: _plan_rows(session, found, as_of),
    )  # fmt: skip


def litigation_board(session: Session, as_of: dt.date, page: int = 1) -> Board[Named[queries.HandedOver]]:
    return _board(
        lambda offset, limit: queries.litigation_board(session, as_of, offset=offset, limit=limit),
        page, PAGE, lambda found: _named(session, found, lambda h: h.customer_id),
    )  # fmt: skip


def task_queue(session: Session, assignee: str | None, page: int = 1) -> Board[Named[tasks.Task]]:
    """The open tasks of ``assignee`` (``""``: nobody's) by due date, a page at a time, named."""
    return _board(
        lambda offset, limit: tasks.task_page(session, assignee=assignee, offset=offset, limit=limit),
        page, TASKS_PAGE, lambda found: _named(session, found, lambda t: t.customer_id),
    )  # fmt: skip
