"""Payment plans (échéanciers): agree instalments on some invoices, follow them, alert on breach.

While a plan is active its invoices leave ordinary reminders; instalment reminders replace
them (``suppression.dunning_suppressions(...).due_instalments``). Payments toward a plan are
the allocations to its invoices plus the customer's unapplied payments, from its start date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Row, literal, select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import plausibility, repository
from encours.casework.errors import CaseworkError
from encours.casework.models import InstalmentRow, PlanEntryRow, PlanRow
from encours.casework.tasks import create_task
from encours.domain import plans as rules
from encours.domain.money import format_amount, from_cents, to_cents
from encours.domain.plans import Instalment, InstalmentState, InstalmentStatus, PlanStatus
from encours.ledger.models import AllocationRow, EntryRow
from encours.ledger.queries import open_cents
from encours.storage.base import utcnow

DEFAULT_PLAN_GRACE_DAYS = 3


class Plan(NamedTuple):
    plan_id: int
    customer_id: str
    currency: str
    total: Decimal
    start_date: dt.date
    grace_days: int
    status: str
    closed_on: dt.date | None
    entry_keys: tuple[str, ...]
    instalments: tuple[InstalmentState, ...]  # as stored (status updated by evaluate_plans)
    note: str
    created_by: str
    created_at: dt.datetime


class PlanOutcome(NamedTuple):
    plan_id: int
    customer_id: str
    status: PlanStatus
    instalments: tuple[InstalmentState, ...]


# a plan as boards show it: its row and its customer
SHOWN = repository.with_customer(select(*PlanRow.__table__.c), PlanRow.customer_pk)
_INSTALMENTS = select(*InstalmentRow.__table__.c)  # plain rows: a board page shows hundreds


def _load(
    session: Session, rows: Sequence[PlanRow | Row[Any]], customer_ids: Mapping[int, str] | None = None
) -> list[Plan]:
    """The plans of these rows (``customer_ids``: their customers' ids by key, when at hand)."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    keys = repository.covered_keys(session, PlanEntryRow.plan_id, PlanEntryRow.entry_id, ids)
    items: dict[int, list[InstalmentState]] = defaultdict(list)
    for item in session.execute(
        _INSTALMENTS.where(InstalmentRow.plan_id.in_(ids)).order_by(InstalmentRow.seq)
    ):
        amount = from_cents(item.amount_cents)
        remaining = Decimal(0) if item.status == InstalmentStatus.KEPT else amount
        items[item.plan_id].append(
            InstalmentState(
                item.seq, item.due_date, amount, InstalmentStatus(item.status), remaining, item.settled_on
            )
        )
    names = customer_ids or repository.customers_by_pk(session, {row.customer_pk for row in rows})
    return [
        Plan(
            row.id,
            names[row.customer_pk],
            row.currency,
            from_cents(row.total_cents),
            row.start_date,
            row.grace_days,
            row.status,
            row.closed_on,
            tuple(keys[row.id]),
            tuple(items[row.id]),
            row.note,
            row.created_by,
            row.created_at,
        )
        for row in rows
    ]


def get_plan(session: Session, plan_id: int) -> Plan:
    return _load(session, [_row(session, plan_id)])[0]


def _row(session: Session, plan_id: int) -> PlanRow:
    return repository.get_row(session, PlanRow, plan_id, "plan", "payment plan")


def list_plans(session: Session, customer_id: str | None = None, status: str | None = None) -> list[Plan]:
    return _load(session, repository.cases(session, PlanRow, customer_id, status))


def plan_page(
    session: Session, customer_id: str | None = None, status: str | None = None,
    *, offset: int = 0, limit: int = 50,
) -> repository.CasePage[Plan]:  # fmt: skip
    """A page of plans as the board shows them: active ones first, newest first."""
    found = repository.case_page(
        session, SHOWN, PlanRow, PlanStatus.ACTIVE.value, customer_id, status, offset=offset, limit=limit
    )
    ids = {row.customer_pk: row.customer_id for row in found.rows}
    names = {row.customer_id: row.customer_name for row in found.rows}
    return repository.CasePage(found.total, _load(session, found.rows, ids), names)


def create_plan(
    session: Session,
    customer_id: str,
    invoices: Sequence[str],
    *,
    start_date: dt.date,
    actor: str,
    instalments: Sequence[tuple[dt.date, Decimal]] = (),
    count: int | None = None,
    first_due: dt.date | None = None,
    every_months: int = 1,
    grace_days: int = DEFAULT_PLAN_GRACE_DAYS,
    note: str = "",
    as_of: dt.date | None = None,
) -> Plan:
    """Agree a plan on ``invoices``: explicit instalments, or ``count`` equal monthly ones.

    The instalments must add up to what the invoices owe at ``start_date``. ``as_of`` is the
    business date (default ``start_date``): the start and every instalment lie within a year
    of it.
    """
    owner = repository.customer(session, customer_id)
    if not invoices:
        raise CaseworkError.because("plan_needs_invoice", field="invoices")
    if grace_days < 0:
        raise CaseworkError.because("grace_negative", field="grace_days")
    business = as_of or start_date
    plausibility.within_a_year(start_date, business, "start_date", "the plan's start")
    if first_due is not None:
        plausibility.within_a_year(first_due, business, "instalments", "the first instalment due")
    covered = repository.entries(session, owner, invoices)
    currency = repository.invoice_currency(covered)
    ids = [ref.id for ref in covered]
    busy = (
        session.execute(
            select(EntryRow.key)
            .join(PlanEntryRow, PlanEntryRow.entry_id == EntryRow.id)
            .join(PlanRow, PlanRow.id == PlanEntryRow.plan_id)
            .where(PlanEntryRow.entry_id.in_(ids), PlanRow.status == PlanStatus.ACTIVE.value)
        )
        .scalars()
        .all()
    )
    if busy:
        raise CaseworkError.because("already_in_plan", field="invoices", invoices=tuple(sorted(busy)))
    open_amounts = open_cents(session, ids, start_date)
    closed = [ref.key for ref in covered if open_amounts.get(ref.id, 0) <= 0]
    if closed:
        raise CaseworkError.because(
            "nothing_left", field="invoices", invoices=tuple(sorted(closed)), day=start_date
        )
    total = from_cents(sum(open_amounts[i] for i in ids))
    schedule = _schedule(total, instalments, count, first_due, every_months)
    for item in schedule:
        plausibility.within_a_year(item.due_date, business, "instalments", f"instalment {item.seq} due")
    errors = rules.schedule_errors(schedule, total)
    if schedule and schedule[0].due_date < start_date:
        errors.append("instalment 1: due before the plan starts")
    if errors:
        raise CaseworkError.because("plan_schedule", field="instalments", problems="; ".join(errors))
    row = PlanRow(
        customer_pk=owner.pk,
        currency=currency,
        total_cents=to_cents(total),
        start_date=start_date,
        grace_days=grace_days,
        status=PlanStatus.ACTIVE.value,
        note=note,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    session.add_all(PlanEntryRow(plan_id=row.id, entry_id=i) for i in ids)
    session.add_all(
        InstalmentRow(
            plan_id=row.id,
            seq=i.seq,
            due_date=i.due_date,
            amount_cents=to_cents(i.amount),
            status=InstalmentStatus.PENDING.value,
        )
        for i in schedule
    )
    session.flush()
    record(
        session,
        actor,
        "plan.created",
        customer_id=owner.customer_id,
        subject=f"plan:{row.id}",
        details={
            "total": format_amount(total),
            "currency": row.currency,
            "start_date": start_date.isoformat(),
            "invoices": sorted(ref.key for ref in covered),
            "instalments": [[i.due_date.isoformat(), format_amount(i.amount)] for i in schedule],
        },
    )
    return get_plan(session, row.id)


def _schedule(
    total: Decimal,
    explicit: Sequence[tuple[dt.date, Decimal]],
    count: int | None,
    first_due: dt.date | None,
    every_months: int,
) -> list[Instalment]:
    if explicit and count is not None:
        raise CaseworkError.because("plan_instalments_or_count", field="instalments")
    if explicit:
        return [Instalment(n, day, amount) for n, (day, amount) in enumerate(explicit, start=1)]
    if count is None or first_due is None:
        raise CaseworkError.because("plan_needs_count", field="instalments")
    try:
        return rules.equal_schedule(total, first_due, count, every_months)
    except rules.PlanRefused as exc:
        raise CaseworkError.retold(exc, field="instalments") from exc


def cancel_plan(
    session: Session, plan_id: int, actor: str, reason: str = "", *, on: dt.date | None = None
) -> Plan:
    """End an active plan by agreement on ``on`` (the business date; default the machine's day):
    its invoices return to ordinary reminders."""
    row = _row(session, plan_id)
    if row.status != PlanStatus.ACTIVE.value:
        raise CaseworkError.because("plan_closed", field="plan", plan=plan_id, status=row.status)
    row.status = PlanStatus.CANCELLED.value
    row.closed_on = on or utcnow().date()
    session.flush()
    plan = get_plan(session, plan_id)
    record(
        session,
        actor,
        "plan.cancelled",
        customer_id=plan.customer_id,
        subject=f"plan:{plan_id}",
        details={"reason": reason},
    )
    return plan


def plan_payments(
    session: Session, plan_ids: Iterable[int], as_of: dt.date
) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Dated amounts paid toward each plan by ``as_of``, in two set-wise queries."""
    ids = sorted(set(plan_ids))
    found: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    if not ids:
        return found
    # dated payments toward the plan (not an open amount: that is unapplied_cents')
    allocated = (
        select(PlanEntryRow.plan_id, AllocationRow.date, AllocationRow.amount_cents)
        .join(PlanRow, PlanRow.id == PlanEntryRow.plan_id)
        .join(AllocationRow, AllocationRow.debit_entry_id == PlanEntryRow.entry_id)
        .where(
            PlanRow.id.in_(ids),
            AllocationRow.date >= PlanRow.start_date,
            AllocationRow.date <= as_of,
        )
    )
    received = session.execute(
        select(PlanRow.id, EntryRow.date, EntryRow.id)
        .join(EntryRow, EntryRow.customer_pk == PlanRow.customer_pk)
        .where(PlanRow.id.in_(ids), *repository.payment_filter(PlanRow.start_date, literal(as_of), as_of))
    ).all()
    left = repository.unapplied_cents(session, [entry_id for *_, entry_id in received], as_of)
    unapplied = [(plan_id, day, left.get(entry_id, 0)) for plan_id, day, entry_id in received]
    for rows in (session.execute(allocated), unapplied):
        for plan_id, day, cents in rows:
            if cents and int(cents) > 0:
                found[plan_id].append((day, from_cents(int(cents))))
    return found


def plan_states(
    session: Session, plan_ids: Iterable[int], as_of: dt.date
) -> dict[int, list[InstalmentState]]:
    """Every instalment's state at ``as_of`` computed from payments (read-only)."""
    ids = sorted(set(plan_ids))
    if not ids:
        return {}
    rows = session.scalars(select(PlanRow).where(PlanRow.id.in_(ids))).all()
    schedules: dict[int, list[Instalment]] = defaultdict(list)
    for item in session.scalars(
        select(InstalmentRow).where(InstalmentRow.plan_id.in_(ids)).order_by(InstalmentRow.seq)
    ):
        schedules[item.plan_id].append(Instalment(item.seq, item.due_date, from_cents(item.amount_cents)))
    return _evaluated(session, [(row.id, row.grace_days, schedules[row.id]) for row in rows], as_of)


def states_of(session: Session, found: Sequence[Plan], as_of: dt.date) -> dict[int, list[InstalmentState]]:
    """As :func:`plan_states`, for plans already loaded: their schedules are at hand."""
    schedules = [
        (p.plan_id, p.grace_days, [Instalment(i.seq, i.due_date, i.amount) for i in p.instalments])
        for p in found
    ]
    return _evaluated(session, schedules, as_of)


def _evaluated(
    session: Session, schedules: Sequence[tuple[int, int, list[Instalment]]], as_of: dt.date
) -> dict[int, list[InstalmentState]]:
    """Each plan's instalments (plan id, grace days, schedule) evaluated against its payments."""
    payments = plan_payments(session, [plan_id for plan_id, _, _ in schedules], as_of)
    return {
        plan_id: rules.evaluate(schedule, payments.get(plan_id, []), grace_days, as_of)
        for plan_id, grace_days, schedule in schedules
    }


def evaluate_plans(session: Session, as_of: dt.date, actor: str = "system") -> list[PlanOutcome]:
    """Update active plans at ``as_of``: instalments kept or broken, plan completed or broken.

    A broken plan gives its invoices back to ordinary reminders, writes ``plan.broken`` and
    opens a task for the collector. Idempotent for the same day.
    """
    rows = session.scalars(
        select(PlanRow)
        .where(PlanRow.status == PlanStatus.ACTIVE.value, PlanRow.start_date <= as_of)
        .order_by(PlanRow.id)
    ).all()
    states = plan_states(session, [row.id for row in rows], as_of)
    names = repository.customers_by_pk(session, {row.customer_pk for row in rows})
    stored = {
        (item.plan_id, item.seq): item
        for item in session.scalars(select(InstalmentRow).where(InstalmentRow.plan_id.in_(list(states))))
    }
    keys = repository.covered_keys(session, PlanEntryRow.plan_id, PlanEntryRow.entry_id, list(states))
    outcomes: list[PlanOutcome] = []
    for row in rows:
        customer_id = names[row.customer_pk]
        plan_state = states[row.id]
        for state in plan_state:
            item = stored[(row.id, state.seq)]
            if item.status == state.status.value:
                continue
            item.status = state.status.value
            item.settled_on = state.settled_on
            record(
                session,
                actor,
                f"plan.instalment_{state.status.value}",
                customer_id=customer_id,
                subject=f"plan:{row.id}#{state.seq}",
                details={
                    "due_date": state.due_date.isoformat(),
                    "amount": format_amount(state.amount),
                    "remaining": format_amount(state.remaining),
                    "as_of": as_of.isoformat(),
                },
            )
        status = rules.plan_status(plan_state)
        if status is not PlanStatus.ACTIVE:
            row.status = status.value
            row.closed_on = as_of
            record(
                session,
                actor,
                f"plan.{status.value}",
                customer_id=customer_id,
                subject=f"plan:{row.id}",
                details={"as_of": as_of.isoformat()},
            )
        if status is PlanStatus.BROKEN:
            broken = next(s for s in plan_state if s.status is InstalmentStatus.BROKEN)
            create_task(
                session,
                customer_id,
                "call",
                f"Payment plan {row.id} broken: instalment {broken.seq} due {broken.due_date} unpaid",
                as_of,
                source="plan",
                actor=actor,
                ref=f"plan:{row.id}:broken",
                entry_keys=keys[row.id],
            )
        outcomes.append(PlanOutcome(row.id, customer_id, status, tuple(plan_state)))
    session.flush()
    return outcomes
