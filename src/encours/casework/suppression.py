"""What the dunning engine must leave out or treat differently on a day: the casework contract.

``dunning_suppressions`` only reads. ``refresh`` first settles promises and plans at the day
(kept / broken, alerts and tasks), so a dunning run calls ``refresh`` then
``dunning_suppressions`` in the same unit of work.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.casework import plans, promises, repository
from encours.casework.holds import STOPS_DUNNING, in_force
from encours.casework.models import (
    DisputeRow,
    HoldRow,
    PlanEntryRow,
    PlanRow,
    PromiseEntryRow,
    PromiseRow,
)
from encours.domain.plans import InstalmentStatus, PlanStatus, plan_status
from encours.domain.promises import PromiseStatus
from encours.ledger.models import CustomerRow, EntryRow

# Instalment reminders start this many days before an instalment falls due.
INSTALMENT_NOTICE_DAYS = 5


class DueInstalment(NamedTuple):
    """An instalment of an active plan that calls for an instalment reminder at the day."""

    plan_id: int
    customer_id: str
    seq: int  # 1-based
    instalment_count: int  # instalments in the plan
    due_date: dt.date
    amount: Decimal
    remaining: Decimal  # still unpaid on this instalment
    currency: str
    days_past_due: int  # negative before the due date
    entry_keys: tuple[str, ...]  # invoices the plan covers


class Suppressions(NamedTuple):
    disputed_entry_keys: set[str]  # flagged disputed in the ledger or with an open dispute
    paused_customer_ids: set[str]  # pause, litigation or agency hand-over in force
    promised_until: dict[str, dt.date]  # entry key → last day of its promise (date + grace)
    plan_entry_keys: set[str]  # invoices covered by an active payment plan
    due_instalments: list[DueInstalment]


def dunning_suppressions(session: Session, as_of: dt.date) -> Suppressions:
    """Everything that suppresses or replaces ordinary reminders at ``as_of`` (read-only)."""
    return Suppressions(
        _disputed(session),
        _paused(session, as_of),
        _promised(session, as_of),
        *_plans(session, as_of),
    )


def refresh(session: Session, as_of: dt.date, actor: str = "system") -> None:
    """Settle promises and plans at ``as_of`` (status, audit events, collector tasks)."""
    promises.evaluate_promises(session, as_of, actor)
    plans.evaluate_plans(session, as_of, actor)


def _disputed(session: Session) -> set[str]:
    flagged = select(EntryRow.key).where(EntryRow.disputed.is_(True))
    workflow = (
        select(EntryRow.key)
        .join(DisputeRow, DisputeRow.entry_id == EntryRow.id)
        .where(DisputeRow.status == "open")
    )
    return set(session.scalars(flagged.union(workflow)))


def _paused(session: Session, as_of: dt.date) -> set[str]:
    query = (
        select(CustomerRow.customer_id)
        .join(HoldRow, HoldRow.customer_pk == CustomerRow.id)
        .where(HoldRow.kind.in_([k.value for k in STOPS_DUNNING]), *in_force(as_of))
    )
    return set(session.scalars(query))


def _promised(session: Session, as_of: dt.date) -> dict[str, dt.date]:
    """Promises in their window at ``as_of`` and not yet paid in full."""
    rows = session.execute(
        select(PromiseRow.id, PromiseRow.amount_cents, PromiseRow.honour_by).where(
            PromiseRow.status == PromiseStatus.OPEN.value,
            PromiseRow.made_on <= as_of,
            PromiseRow.honour_by >= as_of,
        )
    ).all()
    paid = promises.promise_paid(session, [row[0] for row in rows], as_of)
    waiting = {pid: until for pid, cents, until in rows if paid[pid] * 100 < cents}
    found: dict[str, dt.date] = {}
    covered = repository.covered_keys(session, PromiseEntryRow.promise_id, PromiseEntryRow.entry_id, waiting)
    for promise_id, keys in covered.items():
        until = waiting[promise_id]
        for key in keys:
            found[key] = max(until, found.get(key, until))
    return found


def _plans(session: Session, as_of: dt.date) -> tuple[set[str], list[DueInstalment]]:
    """Invoices under a plan still active at ``as_of``, and instalments to remind of."""
    rows = session.execute(
        select(PlanRow.id, PlanRow.currency, CustomerRow.customer_id)
        .join(CustomerRow, CustomerRow.id == PlanRow.customer_pk)
        .where(PlanRow.status == PlanStatus.ACTIVE.value, PlanRow.start_date <= as_of)
        .order_by(PlanRow.id)
    ).all()
    states = plans.plan_states(session, [row[0] for row in rows], as_of)
    active = {pid for pid, _, _ in rows if plan_status(states[pid]) is PlanStatus.ACTIVE}
    keys = repository.covered_keys(session, PlanEntryRow.plan_id, PlanEntryRow.entry_id, active)
    horizon = as_of + dt.timedelta(days=INSTALMENT_NOTICE_DAYS)
    due: list[DueInstalment] = []
    for plan_id, currency, customer_id in rows:
        if plan_id not in active:
            continue
        for state in states[plan_id]:
            if state.status is InstalmentStatus.PENDING and state.remaining > 0 and state.due_date <= horizon:
                due.append(
                    DueInstalment(
                        plan_id,
                        customer_id,
                        state.seq,
                        len(states[plan_id]),
                        state.due_date,
                        state.amount,
                        state.remaining,
                        currency,
                        (as_of - state.due_date).days,
                        tuple(keys[plan_id]),
                    )
                )
    plan_keys = {key for plan_id in active for key in keys[plan_id]}
    return plan_keys, due
