"""How casework records are shown: one presenter per record, for the API and `--format json` alike.

Each ``*Out`` model reads a casework record by attribute (``Model.model_validate(record)``):
the API answers it as JSON, the CLI prints ``Model.document(record)``. Money is a decimal string with
two decimals, never a float. Where the CLI has always printed a record with other fields than
the API, ``*_document`` gives the CLI's keys, in its order, taking every shared one from the
presenter, so both outputs stay as published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from encours.casework.credit_limits import CreditStatus
from encours.casework.disputes import Dispute
from encours.casework.plans import Plan
from encours.casework.promises import Promise
from encours.casework.queries import HandedOver
from encours.casework.tasks import Task
from encours.domain.money import format_amount

Amount = Annotated[Decimal, PlainSerializer(format_amount, return_type=str, when_used="always")]


class Presenter(BaseModel):
    """Built from a record's attributes (NamedTuples, enums read as their values)."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def document(cls, record: Any) -> dict[str, Any]:
        """The record as the CLI prints it (dates left to the printer, amounts already strings)."""
        return cls.model_validate(record).model_dump()


def keyed(shown: BaseModel, keys: Sequence[str], **extra: Any) -> dict[str, Any]:
    """``keys`` in order, from the presenter unless ``extra`` gives them (fields it does not carry)."""
    shared = shown.model_dump()
    return {key: extra[key] if key in extra else shared[key] for key in keys}


class DisputeOut(Presenter):
    dispute_id: int
    customer_id: str
    invoice: str
    reason: str
    owner: str | None
    status: str
    resolution: str | None
    opened_on: dt.date
    opened_by: str
    category: str | None = None


DISPUTE_KEYS = (
    "dispute_id", "customer_id", "invoice", "entry_key", "reason", "owner", "status", "resolution",
    "opened_on", "opened_by", "category",
)  # fmt: skip


def dispute_document(d: Dispute) -> dict[str, Any]:
    """The CLI also shows the invoice's ledger key."""
    return keyed(DisputeOut.model_validate(d), DISPUTE_KEYS, entry_key=d.entry_key)


class PromiseOut(Presenter):
    promise_id: int
    customer_id: str
    amount: Amount
    currency: str
    made_on: dt.date
    promised_date: dt.date
    honour_by: dt.date
    status: str
    entry_keys: list[str]
    note: str
    created_by: str


PROMISE_KEYS = (
    "promise_id", "customer_id", "amount", "currency", "made_on", "promised_date", "grace_days",
    "honour_by", "status", "paid", "invoices", "created_by",
)  # fmt: skip


def promise_document(p: Promise) -> dict[str, Any]:
    """The CLI shows grace days and the amount paid, the entry keys as ``invoices``, no note."""
    return keyed(
        PromiseOut.model_validate(p), PROMISE_KEYS, grace_days=p.grace_days, paid=p.paid,
        invoices=list(p.entry_keys),
    )  # fmt: skip


class InstalmentOut(Presenter):
    seq: int
    due_date: dt.date
    amount: Amount
    status: str
    settled_on: dt.date | None


class PlanOut(Presenter):
    plan_id: int
    customer_id: str
    currency: str
    total: Amount
    start_date: dt.date
    status: str
    entry_keys: list[str]
    created_by: str


PLAN_KEYS = ("plan_id", "customer_id", "currency", "total", "start_date", "status", "invoices", "instalments")


def plan_document(plan: Plan) -> dict[str, Any]:
    """The CLI shows the instalments and the entry keys as ``invoices``, not who made the plan."""
    instalments = [InstalmentOut.document(i) for i in plan.instalments]
    return keyed(
        PlanOut.model_validate(plan), PLAN_KEYS, invoices=list(plan.entry_keys), instalments=instalments
    )


class TaskOut(Presenter):
    task_id: int
    customer_id: str
    kind: str
    title: str
    due_date: dt.date
    assignee: str | None
    status: str
    source: str
    outcome: str | None


TASK_KEYS = (
    "task_id", "customer_id", "kind", "title", "due_date", "assignee", "status", "source", "invoices",
    "outcome",
)  # fmt: skip


def task_document(t: Task) -> dict[str, Any]:
    """The CLI also shows the task's invoices (entry keys)."""
    return keyed(TaskOut.model_validate(t), TASK_KEYS, invoices=list(t.entry_keys))


class NoteOut(Presenter):
    note_id: int
    customer_id: str
    entry_key: str | None
    author: str
    body: str
    created_at: dt.datetime


class TimelineOut(Presenter):
    day: dt.date
    at: dt.datetime | None
    kind: str
    event: str
    title: str
    actor: str | None
    amount: Amount | None
    currency: str | None
    ref: str


class HoldOut(Presenter):
    customer_id: str
    kind: str
    start_date: dt.date
    end_date: dt.date | None
    reason: str
    created_by: str


class CreditPositionOut(Presenter):
    outstanding: Amount
    open_orders: Amount
    exposure: Amount
    limit: Amount | None
    available: Amount | None
    exceeded: bool
    utilisation: float | None  # a fraction, as in the record


class CreditGroupHead(Presenter):
    siren: str
    currency: str
    customer_ids: list[str]


class CreditGroupOut(CreditPositionOut, CreditGroupHead):
    """A SIREN group: its head fields first, then its position (pydantic orders bases' fields
    from the last base to the first)."""


class CreditStatusOut(Presenter):
    as_of: dt.date
    customer_id: str
    currency: str
    credit_hold: bool
    exceeded: bool
    customer: CreditPositionOut
    group: CreditGroupOut | None

    @classmethod
    def of(cls, status: CreditStatus, as_of: dt.date) -> CreditStatusOut:
        c, g = status.customer, status.group
        return cls(
            as_of=as_of, customer_id=c.customer_id, currency=c.currency, credit_hold=status.credit_hold,
            exceeded=status.exceeded, customer=CreditPositionOut.model_validate(c.position),
            group=None if g is None else CreditGroupOut(
                siren=g.siren, currency=g.currency, customer_ids=list(g.customer_ids), **g.position._asdict()
            ),
        )  # fmt: skip


class CreditAlertOut(Presenter):
    scope: str
    key: str
    name: str
    currency: str
    exposure: Amount
    limit: Amount
    excess: Amount
    customer_ids: list[str]
    credit_hold: bool


class CreditAlertsOut(Presenter):
    as_of: dt.date
    alerts: list[CreditAlertOut]
    newly_held: list[str]


class BalanceOut(BaseModel):
    currency: str
    open_amount: Amount


class HandedOverOut(BaseModel):
    """A row of the litigation board: a customer handed over, since when, and what it owes."""

    customer_id: str
    kind: str
    since: dt.date
    reason: str
    created_by: str
    balances: list[BalanceOut]

    @classmethod
    def of(cls, found: HandedOver) -> HandedOverOut:
        return cls(
            customer_id=found.customer_id, kind=found.kind, since=found.since, reason=found.reason,
            created_by=found.created_by,
            balances=[BalanceOut(currency=c, open_amount=a) for c, a in found.balances],
        )  # fmt: skip
