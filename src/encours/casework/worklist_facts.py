"""What the worklist shows of casework for a page of customers: collector, next task, last call.

Each read is one query for the whole page (or for a filter), on the indexes of 0606_workspace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from encours.casework.models import AssignmentRow, TaskRow
from encours.casework.tasks import TaskStatus
from encours.ledger.models import CustomerRow


class NextAction(NamedTuple):
    task_id: int
    kind: str
    title: str
    due_date: dt.date
    assignee: str | None


def collectors(session: Session, customer_ids: Sequence[str]) -> dict[str, str]:
    """The assigned collector of each named customer that has one."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(CustomerRow.customer_id, AssignmentRow.assignee)
        .join(AssignmentRow, AssignmentRow.customer_pk == CustomerRow.id)
        .where(AssignmentRow.role == "collector", CustomerRow.customer_id.in_(list(customer_ids)))
    )
    return {str(cid): str(who) for cid, who in rows}


def customers_of(session: Session, collector: str | None) -> set[str]:
    """Customers whose collector is ``collector``; ``None``: every customer that has a collector."""
    query = (
        select(CustomerRow.customer_id)
        .join(AssignmentRow, AssignmentRow.customer_pk == CustomerRow.id)
        .where(AssignmentRow.role == "collector")
    )
    if collector is not None:
        query = query.where(AssignmentRow.assignee == collector)
    return set(session.connection().execute(query).scalars().all())  # plain rows, fetched at once


def follows_someone(session: Session, collector: str) -> bool:
    """Whether ``collector`` is the collector of at least one customer (one index probe)."""
    query = select(AssignmentRow.id).where(AssignmentRow.role == "collector")
    return session.scalar(query.where(AssignmentRow.assignee == collector).limit(1)) is not None


def next_actions(session: Session, customer_ids: Sequence[str]) -> dict[str, NextAction]:
    """The open task due first for each named customer."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(
            CustomerRow.customer_id,
            TaskRow.id,
            TaskRow.kind,
            TaskRow.title,
            TaskRow.due_date,
            TaskRow.assignee,
        )
        .join(CustomerRow, CustomerRow.id == TaskRow.customer_pk)
        .where(TaskRow.status == TaskStatus.OPEN.value, CustomerRow.customer_id.in_(list(customer_ids)))
        .order_by(TaskRow.due_date.desc(), TaskRow.id.desc())
    )
    found: dict[str, NextAction] = {}
    for cid, task_id, kind, title, due_date, assignee in rows:  # the earliest is written last
        found[str(cid)] = NextAction(task_id, kind, title, due_date, assignee)
    return found


def last_calls(session: Session, customer_ids: Sequence[str]) -> dict[str, dt.datetime]:
    """When each named customer was last called (a call task done)."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(CustomerRow.customer_id, func.max(TaskRow.closed_at))
        .join(CustomerRow, CustomerRow.id == TaskRow.customer_pk)
        .where(
            TaskRow.kind == "call",
            TaskRow.status == TaskStatus.DONE.value,
            CustomerRow.customer_id.in_(list(customer_ids)),
        )
        .group_by(CustomerRow.customer_id)
    )
    return {str(cid): at for cid, at in rows if at is not None}
