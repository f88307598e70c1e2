"""Tables of the collections casework: disputes, promises, plans, holds, notes, tasks, credit.

Each row points at the ledger (customers.id, entries.id); money is integer cents plus a
currency. Rows are workflow state: the audit trail keeps who changed what and when.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from encours.storage.base import BIG_ID, Base, UtcDateTime, utcnow


class DisputeRow(Base):
    """A disputed invoice: out of the dunning scenario while open."""

    __tablename__ = "disputes"
    __table_args__ = (
        Index("ix_disputes_entry_status", "entry_id", "status"),
        Index("ix_disputes_status_id", "status", "id"),  # the board: open first, newest first
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"))
    reason: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(32))  # disputes.CATEGORIES
    owner: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # open | resolved | rejected
    resolution: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(255))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(255))


class PromiseRow(Base):
    """A promise to pay ``amount`` by ``promised_date``; reminders wait until ``honour_by``."""

    __tablename__ = "promises"
    __table_args__ = (
        Index("ix_promises_status", "status", "honour_by"),
        Index("ix_promises_status_id", "status", "id"),  # the board
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    made_on: Mapped[dt.date] = mapped_column(Date)
    promised_date: Mapped[dt.date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer)
    honour_by: Mapped[dt.date] = mapped_column(Date)  # promised_date + grace_days
    status: Mapped[str] = mapped_column(String(16))  # open | kept | broken | cancelled
    paid_cents: Mapped[int | None] = mapped_column(BigInteger)
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255))


class PromiseEntryRow(Base):
    __tablename__ = "promise_entries"

    promise_id: Mapped[int] = mapped_column(ForeignKey("promises.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"), primary_key=True)


class PlanRow(Base):
    """A payment plan (échéancier) covering some invoices; replaces ordinary reminders."""

    __tablename__ = "payment_plans"
    __table_args__ = (Index("ix_payment_plans_status_id", "status", "id"),)  # the board

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[dt.date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active | completed | broken | cancelled
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255))


class PlanEntryRow(Base):
    __tablename__ = "plan_entries"

    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(BIG_ID, ForeignKey("entries.id"), primary_key=True)


class InstalmentRow(Base):
    __tablename__ = "plan_instalments"
    __table_args__ = (UniqueConstraint("plan_id", "seq", name="uq_plan_instalments_plan_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1-based
    due_date: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # pending | kept | broken
    settled_on: Mapped[dt.date | None] = mapped_column(Date)


class NoteRow(Base):
    """A comment on a customer, or on one of its invoices when ``entry_id`` is set."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(BIG_ID, ForeignKey("entries.id"))
    author: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class HoldRow(Base):
    """A customer-level state: dunning pause, credit hold, litigation or agency hand-over."""

    __tablename__ = "customer_holds"
    __table_args__ = (Index("ix_customer_holds_customer_kind", "customer_pk", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16))  # pause | credit_hold | litigation | agency
    reason: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)  # last day in force, None = open-ended
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255))
    released_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(255))


class AssignmentRow(Base):
    """Who follows a customer: its collector and its sales rep (one of each)."""

    __tablename__ = "customer_assignments"
    __table_args__ = (
        UniqueConstraint("customer_pk", "role", name="uq_customer_assignments_role"),
        Index("ix_customer_assignments_assignee", "role", "assignee"),  # a collector's worklist
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    role: Mapped[str] = mapped_column(String(16))  # collector | sales_rep
    assignee: Mapped[str] = mapped_column(String(255))
    assigned_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    assigned_by: Mapped[str] = mapped_column(String(255))


class CreditGroupRow(Base):
    """A credit limit shared by every customer with the same SIREN (a group of companies)."""

    __tablename__ = "credit_groups"

    siren: Mapped[str] = mapped_column(String(9), primary_key=True)
    limit_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255))


class OpenOrdersRow(Base):
    """Amount of orders taken but not yet invoiced, counted in the customer's exposure."""

    __tablename__ = "customer_open_orders"

    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255))


class TaskRow(Base):
    """A collector's task (phone call, letter follow-up, litigation file...)."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_status_due", "status", "due_date"),
        Index("ix_tasks_customer", "customer_pk"),
        Index("ix_tasks_assignee_status_due", "assignee", "status", "due_date"),  # "my tasks"
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    due_date: Mapped[dt.date] = mapped_column(Date)
    assignee: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # open | done | cancelled
    source: Mapped[str] = mapped_column(String(32))  # manual | dunning | promise | plan | credit
    ref: Mapped[str | None] = mapped_column(String(128), unique=True)  # idempotency key of the source
    entry_keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str | None] = mapped_column(Text)
