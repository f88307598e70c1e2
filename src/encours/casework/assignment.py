"""Who follows each customer: a collector and a sales rep.

The imported ``customers.sales_rep`` is the default sales rep; an assignment overrides it.
Tasks without an explicit assignee go to the collector, else the sales rep.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import repository
from encours.casework.errors import CaseworkError
from encours.casework.models import AssignmentRow
from encours.ledger.models import CustomerRow
from encours.storage.base import utcnow


class Role(StrEnum):
    COLLECTOR = "collector"
    SALES_REP = "sales_rep"


class Assignees(NamedTuple):
    customer_id: str
    collector: str | None
    sales_rep: str | None  # assigned, else the imported sales rep


class Assignment(NamedTuple):
    customer_id: str
    role: Role
    assignee: str
    assigned_at: dt.datetime
    assigned_by: str


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise CaseworkError.because("unknown_assignment_role", field="role", role=role) from None


def assign(session: Session, customer_id: str, role: Role | str, assignee: str, *, actor: str) -> Assignment:
    """Give the customer to ``assignee`` in ``role`` (replacing the previous one)."""
    role = parse_role(role)
    name = assignee.strip()
    if not name:
        raise CaseworkError.because("empty_assignee", field="assignee")
    owner = repository.customer(session, customer_id)
    row = session.scalars(
        select(AssignmentRow).where(AssignmentRow.customer_pk == owner.pk, AssignmentRow.role == role.value)
    ).first()
    previous = None if row is None else row.assignee
    if row is None:
        row = AssignmentRow(customer_pk=owner.pk, role=role.value)
        session.add(row)
    row.assignee, row.assigned_at, row.assigned_by = name, utcnow(), actor
    session.flush()
    record(
        session,
        actor,
        "assignment.set",
        customer_id=owner.customer_id,
        subject=role.value,
        details={"from": previous, "to": name},
    )
    return Assignment(owner.customer_id, role, name, row.assigned_at, actor)


def unassign(session: Session, customer_id: str, role: Role | str, *, actor: str) -> None:
    """Remove the customer's assignee in ``role``; new tasks go to whoever remains (see tasks)."""
    role = parse_role(role)
    owner = repository.customer(session, customer_id)
    row = session.scalars(
        select(AssignmentRow).where(AssignmentRow.customer_pk == owner.pk, AssignmentRow.role == role.value)
    ).first()
    if row is None:
        raise CaseworkError.because("no_assignee", field="role", customer=owner.customer_id, role=role.value)
    previous = row.assignee
    session.delete(row)
    session.flush()
    record(
        session,
        actor,
        "assignment.removed",
        customer_id=owner.customer_id,
        subject=role.value,
        details={"from": previous},
    )


def assignees(session: Session, customer_id: str) -> Assignees:
    owner = repository.customer(session, customer_id)
    rows = dict(
        session.execute(
            select(AssignmentRow.role, AssignmentRow.assignee).where(AssignmentRow.customer_pk == owner.pk)
        ).all()
    )
    imported = session.scalar(select(CustomerRow.sales_rep).where(CustomerRow.id == owner.pk))
    return Assignees(
        owner.customer_id, rows.get(Role.COLLECTOR.value), rows.get(Role.SALES_REP.value) or imported
    )


def portfolio(session: Session, assignee: str, role: Role | str | None = None) -> list[str]:
    """Customer ids assigned to someone (in one role or any), in id order."""
    query = (
        select(CustomerRow.customer_id)
        .join(AssignmentRow, AssignmentRow.customer_pk == CustomerRow.id)
        .where(AssignmentRow.assignee == assignee)
        .distinct()
        .order_by(CustomerRow.customer_id)
    )
    if role is not None:
        query = query.where(AssignmentRow.role == parse_role(role).value)
    return list(session.scalars(query))
