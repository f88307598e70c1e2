"""Collectors' tasks: phone calls, follow-ups, litigation files, with assignee and due date.

Dunning steps, broken promises and broken plans create tasks here; collectors close them.
``ref`` makes creation idempotent: the same source event never opens two tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import repository
from encours.casework.errors import CaseworkError
from encours.casework.models import AssignmentRow, TaskRow
from encours.ledger.models import CustomerRow
from encours.storage.base import utcnow
from encours.users.service import UserService

KINDS = ("call", "callback", "letter", "other")  # what a person plans; sources add their own
LOGGED_CALL = "call_log"  # the source of a call logged after it happened: one timeline line


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(NamedTuple):
    task_id: int
    customer_id: str
    kind: str
    title: str
    due_date: dt.date
    assignee: str | None
    status: str
    source: str
    entry_keys: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    closed_at: dt.datetime | None
    closed_by: str | None
    outcome: str | None


def _task(row: TaskRow | Row[Any], customer_id: str) -> Task:
    return Task(
        row.id,
        customer_id,
        row.kind,
        row.title,
        row.due_date,
        row.assignee,
        row.status,
        row.source,
        tuple(str(k) for k in row.entry_keys),
        row.created_at,
        row.created_by,
        row.closed_at,
        row.closed_by,
        row.outcome,
    )


def _is_user(session: Session, name: str | None) -> bool:
    found = UserService(session).by_email(name) if name else None
    return found is not None and found.active


def default_assignee(session: Session, customer_pk: int) -> str | None:
    """The customer's collector, else its sales rep (assignment, else the imported field), when
    that person is a user of Encours; else nobody (the task waits, unassigned, for someone to take it)."""
    rows = dict(
        session.execute(
            select(AssignmentRow.role, AssignmentRow.assignee).where(AssignmentRow.customer_pk == customer_pk)
        ).all()
    )
    imported = session.scalar(select(CustomerRow.sales_rep).where(CustomerRow.id == customer_pk))
    for candidate in (rows.get("collector"), rows.get("sales_rep"), imported):
        if _is_user(session, candidate):
            return candidate
    return None


def plan_task(
    session: Session,
    customer_id: str,
    kind: str,
    due_date: dt.date,
    *,
    actor: str,
    assignee: str | None = None,
    title: str = "",
) -> Task:
    """A task a person plans (a callback on a date...): its kind among :data:`KINDS`, its
    assignee a user of Encours (default: the customer's collector when a user, else nobody)."""
    if kind not in KINDS:
        raise CaseworkError.because("unknown_task_kind", field="kind", kind=kind, expected=tuple(KINDS))
    name = (assignee or "").strip().lower() or None
    if name is not None and not _is_user(session, name):
        raise CaseworkError.because("not_a_user", field="assignee", email=name)
    title = title.strip() or kind
    return create_task(
        session, customer_id, kind, title, due_date, assignee=name, source="manual", actor=actor
    )


def log_call(session: Session, customer_id: str, summary: str, *, actor: str, day: dt.date) -> Task:
    """A call made now, written once: a call task already done with its summary (one audit event,
    one timeline line)."""
    text = summary.strip()
    if not text:
        raise CaseworkError.because("call_needs_text", field="text")
    owner = repository.customer(session, customer_id)
    now = utcnow()
    row = TaskRow(
        customer_pk=owner.pk, kind="call", title=text[:255], due_date=day, assignee=actor,
        status=TaskStatus.DONE.value, source=LOGGED_CALL, entry_keys=[], created_at=now, created_by=actor,
        closed_at=now, closed_by=actor, outcome=text,
    )  # fmt: skip
    session.add(row)
    session.flush()
    record(
        session, actor, "call.logged", customer_id=owner.customer_id, subject=f"task:{row.id}",
        details={"summary": text[:500]},
    )  # fmt: skip
    return _task(row, owner.customer_id)


def create_task(
    session: Session,
    customer_id: str,
    kind: str,
    title: str,
    due_date: dt.date,
    assignee: str | None = None,
    entry_keys: Sequence[str] = (),
    source: str = "dunning",
    *,
    actor: str = "system",
    ref: str | None = None,
) -> Task:
    """Open a task; with ``ref`` set, returns the existing task instead of a duplicate.

    Without an explicit ``assignee`` the task goes to the customer's collector or sales rep.
    """
    kind = kind.strip()
    title = title.strip()
    if not kind:
        raise CaseworkError.because("task_needs_kind", field="kind")
    if not title:
        raise CaseworkError.because("task_needs_title", field="title")
    owner = repository.customer(session, customer_id)
    if ref is not None:
        existing = session.scalars(select(TaskRow).where(TaskRow.ref == ref)).first()
        if existing is not None:
            return _task(existing, owner.customer_id)
    row = TaskRow(
        customer_pk=owner.pk,
        kind=kind[:32],
        title=title[:255],
        due_date=due_date,
        assignee=assignee or default_assignee(session, owner.pk),
        status=TaskStatus.OPEN.value,
        source=source,
        ref=ref,
        entry_keys=list(entry_keys),
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "task.created",
        customer_id=owner.customer_id,
        subject=f"task:{row.id}",
        details={
            "kind": row.kind,
            "title": row.title,
            "due_date": due_date.isoformat(),
            "assignee": row.assignee,
            "source": source,
            "entry_keys": list(entry_keys),
        },
    )
    return _task(row, owner.customer_id)


def _row(session: Session, task_id: int) -> TaskRow:
    return repository.get_row(session, TaskRow, task_id, "task")


def close_task(
    session: Session, task_id: int, actor: str, outcome: str = "", *, cancelled: bool = False
) -> Task:
    """Mark a task done (or cancelled) with what came out of it (e.g. the call's summary)."""
    row = _row(session, task_id)
    if row.status != TaskStatus.OPEN.value:
        raise CaseworkError.because("task_closed", field="task", task=task_id, status=row.status)
    row.status = (TaskStatus.CANCELLED if cancelled else TaskStatus.DONE).value
    row.closed_at = utcnow()
    row.closed_by = actor
    row.outcome = outcome or None
    session.flush()
    customer_id = repository.customers_by_pk(session, [row.customer_pk])[row.customer_pk]
    record(
        session,
        actor,
        f"task.{row.status}",
        customer_id=customer_id,
        subject=f"task:{row.id}",
        details={"kind": row.kind, "title": row.title, "outcome": outcome},
    )
    return _task(row, customer_id)


def reassign_task(session: Session, task_id: int, assignee: str, actor: str) -> Task:
    """Give the task to someone else; the audit trail keeps who had it before."""
    row = _row(session, task_id)
    if not assignee.strip():
        raise CaseworkError.because("empty_assignee", field="assignee")
    previous = row.assignee
    row.assignee = assignee.strip()
    session.flush()
    customer_id = repository.customers_by_pk(session, [row.customer_pk])[row.customer_pk]
    record(
        session,
        actor,
        "task.reassigned",
        customer_id=customer_id,
        subject=f"task:{row.id}",
        details={"from": previous, "to": row.assignee},
    )
    return _task(row, customer_id)


QUEUE_ORDER = (TaskRow.due_date, TaskRow.id)
SHOWN = repository.with_customer(
    select(*TaskRow.__table__.c), TaskRow.customer_pk
)  # a task with its customer


def _task_filters(
    session: Session, customer_id: str | None, assignee: str | None, status: str | None,
    due_by: dt.date | None, kind: str | None,
) -> list[ColumnElement[bool]]:  # fmt: skip
    where: list[ColumnElement[bool]] = []
    if customer_id is not None:
        where.append(TaskRow.customer_pk == repository.customer(session, customer_id).pk)
    if assignee == "":  # nobody's
        where.append(TaskRow.assignee.is_(None))
    elif assignee is not None:
        where.append(TaskRow.assignee == assignee)
    if status is not None:
        where.append(TaskRow.status == status)
    if due_by is not None:
        where.append(TaskRow.due_date <= due_by)
    if kind is not None:
        where.append(TaskRow.kind == kind)
    return where


def _tasks(session: Session, rows: Sequence[TaskRow]) -> list[Task]:
    names = repository.customers_by_pk(session, {row.customer_pk for row in rows})
    return [_task(row, names[row.customer_pk]) for row in rows]


def list_tasks(
    session: Session,
    *,
    customer_id: str | None = None,
    assignee: str | None = None,
    status: str | None = TaskStatus.OPEN.value,
    due_by: dt.date | None = None,
    kind: str | None = None,
) -> list[Task]:
    """Tasks, filtered, ordered by due date then id."""
    where = _task_filters(session, customer_id, assignee, status, due_by, kind)
    return _tasks(session, session.scalars(select(TaskRow).where(*where).order_by(*QUEUE_ORDER)).all())


def task_page(
    session: Session, *, customer_id: str | None = None, assignee: str | None = None,
    status: str | None = TaskStatus.OPEN.value, due_by: dt.date | None = None, kind: str | None = None,
    offset: int = 0, limit: int = 100,
) -> repository.CasePage[Task]:  # fmt: skip
    """A page of the task queue (as :func:`list_tasks`), filtered, counted and paged in SQL."""
    where = _task_filters(session, customer_id, assignee, status, due_by, kind)
    total = session.scalar(select(func.count()).select_from(TaskRow).where(*where)) or 0
    rows = repository.page_rows(session, SHOWN, TaskRow, where, QUEUE_ORDER, offset, limit)
    names = {row.customer_id: row.customer_name for row in rows}
    return repository.CasePage(int(total), [_task(row, row.customer_id) for row in rows], names)
