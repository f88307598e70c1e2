"""What the worklist shows of casework for a page of customers: collector, next task, last call.

A page's facts are one query (a correlated sub-select per column, on the indexes of
0606_workspace); a collector's customers are one index probe giving customer keys, which the
worklist maps to ranked places with an array (no customer number is looked up one by one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import FromClause, Select, String, cast, func, outerjoin, select, true
from sqlalchemy.orm import Session

from encours.casework.models import AssignmentRow, TaskRow
from encours.casework.tasks import TaskStatus
from encours.ledger.models import CustomerRow
from encours.storage.lists import one_of_param


class NextAction(NamedTuple):
    task_id: int
    kind: str
    title: str
    due_date: dt.date
    assignee: str | None


class PageFacts(NamedTuple):
    collector: str | None
    next_action: NextAction | None  # the open task due first
    last_call: dt.datetime | None  # the latest call task done


class Customer(NamedTuple):
    pk: int
    customer_id: str
    name: str
    segment: str | None


def every_customer(session: Session) -> list[Customer]:
    """Every customer's key, number, name and segment: read once per ledger state by the
    worklist (plain rows, fetched at once)."""
    query = select(CustomerRow.id, CustomerRow.customer_id, CustomerRow.name, CustomerRow.segment)
    return [Customer(*row) for row in session.connection().execute(query).all()]


def customer_keys_of(session: Session, collector: str | None) -> npt.NDArray[np.int64]:
    """Keys of the customers whose collector is ``collector``; ``None``: of every customer that
    has a collector. One row (the keys joined by the database): a collector's thousands of
    customers cost one string to parse, not a row each."""
    keys = func.aggregate_strings(cast(AssignmentRow.customer_pk, String), ",")
    query = select(keys).where(AssignmentRow.role == "collector")
    if collector is not None:
        query = query.where(AssignmentRow.assignee == collector)
    return np.fromstring(session.connection().execute(query).scalar() or "", dtype=np.int64, sep=",")


def follows_someone(session: Session, collector: str) -> bool:
    """Whether ``collector`` is the collector of at least one customer (one index probe)."""
    query = select(AssignmentRow.id).where(AssignmentRow.role == "collector")
    return session.scalar(query.where(AssignmentRow.assignee == collector).limit(1)) is not None


def page_facts(session: Session, customer_ids: Sequence[str]) -> dict[str, PageFacts]:
    """Each named customer's collector, open task due first (earliest due date, then lowest
    number) and last call done, in one query built once per database kind."""
    if not customer_ids:
        return {}
    query = _page_query(session.get_bind().dialect.name)
    rows = session.connection().execute(query, {"customer_ids": list(customer_ids)})
    return {
        str(cid): PageFacts(
            who, None if task_id is None else NextAction(task_id, kind, title, due, assignee), called
        )
        for cid, who, called, task_id, kind, title, due, assignee in rows
    }


@cache
def _page_query(dialect: str) -> Select[Any]:
    """The task comes by a LATERAL join on PostgreSQL (an index probe per customer; a join on a
    sub-select hashed every task: 5 ms -> 0.3 ms), by a sub-select of its number on SQLite,
    which has no LATERAL."""
    mine = TaskRow.customer_pk == CustomerRow.id
    collector = select(AssignmentRow.assignee).where(
        AssignmentRow.customer_pk == CustomerRow.id, AssignmentRow.role == "collector"
    )
    last_call = select(func.max(TaskRow.closed_at)).where(
        mine, TaskRow.kind == "call", TaskRow.status == TaskStatus.DONE.value
    )
    first_open = (
        select(TaskRow.id, TaskRow.kind, TaskRow.title, TaskRow.due_date, TaskRow.assignee)
        .where(mine, TaskRow.status == TaskStatus.OPEN.value)
        .order_by(TaskRow.due_date, TaskRow.id)
        .limit(1)
    )
    task: FromClause
    if dialect == "postgresql":
        task = first_open.lateral("next_task")
        joined = outerjoin(CustomerRow, task, true())
    else:
        task = TaskRow.__table__.alias("next_task")
        first_id = first_open.with_only_columns(TaskRow.id).scalar_subquery()
        joined = outerjoin(CustomerRow, task, task.c.id == first_id)
    return (
        select(
            CustomerRow.customer_id, collector.scalar_subquery(), last_call.scalar_subquery(),
            task.c.id, task.c.kind, task.c.title, task.c.due_date, task.c.assignee,
        )
        .select_from(joined)
        .where(one_of_param(dialect, CustomerRow.customer_id, "customer_ids"))
    )  # fmt: skip
