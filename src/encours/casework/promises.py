"""Promises to pay: pause reminders until the promised date plus grace, then check the money.

A promise covers the invoices it names, or every open invoice of the customer on the day it is
made. Payments toward a promise are the allocations to its invoices plus the customer's
unapplied payments received between the day it was made and its deadline (all the customer's
payments for an older promise that covers no invoice). A broken promise resumes reminders, writes
``promise.broken`` and opens a task for the collector.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import notifications, plausibility, repository
from encours.casework.errors import CaseworkError
from encours.casework.models import PromiseEntryRow, PromiseRow
from encours.casework.tasks import create_task
from encours.domain import promises as rules
from encours.domain.money import format_amount, from_cents, is_whole_cents, to_cents
from encours.domain.promises import DEFAULT_GRACE_DAYS, PromiseStatus
from encours.ledger.models import AllocationRow, EntryRow
from encours.ledger.queries import open_cents
from encours.storage.base import utcnow


class Promise(NamedTuple):
    promise_id: int
    customer_id: str
    amount: Decimal
    currency: str
    made_on: dt.date
    promised_date: dt.date
    grace_days: int
    honour_by: dt.date
    status: str
    paid: Decimal | None  # at the last evaluation
    evaluated_on: dt.date | None
    entry_keys: tuple[str, ...]
    note: str
    created_by: str
    created_at: dt.datetime


class PromiseOutcome(NamedTuple):
    promise_id: int
    customer_id: str
    status: PromiseStatus
    paid: Decimal


# a promise as boards show it: its row and its customer
SHOWN = repository.with_customer(select(*PromiseRow.__table__.c), PromiseRow.customer_pk)


def _load(
    session: Session, rows: Sequence[PromiseRow | Row[Any]], customer_ids: Mapping[int, str] | None = None
) -> list[Promise]:
    """The promises of these rows (``customer_ids``: their customers' ids by key, when at hand)."""
    keys = repository.covered_keys(
        session, PromiseEntryRow.promise_id, PromiseEntryRow.entry_id, [row.id for row in rows]
    )
    names = customer_ids or repository.customers_by_pk(session, {row.customer_pk for row in rows})
    return [
        Promise(
            row.id,
            names[row.customer_pk],
            from_cents(row.amount_cents),
            row.currency,
            row.made_on,
            row.promised_date,
            row.grace_days,
            row.honour_by,
            row.status,
            None if row.paid_cents is None else from_cents(row.paid_cents),
            row.evaluated_on,
            tuple(keys[row.id]),
            row.note,
            row.created_by,
            row.created_at,
        )
        for row in rows
    ]


def get_promise(session: Session, promise_id: int) -> Promise:
    return _load(session, [repository.get_row(session, PromiseRow, promise_id, "promise")])[0]


def list_promises(
    session: Session, customer_id: str | None = None, status: str | None = None
) -> list[Promise]:
    return _load(session, repository.cases(session, PromiseRow, customer_id, status))


def promise_page(
    session: Session, customer_id: str | None = None, status: str | None = None,
    *, offset: int = 0, limit: int = 50,
) -> repository.CasePage[Promise]:  # fmt: skip
    """A page of promises as the board shows them: open ones first, newest first."""
    found = repository.case_page(
        session, SHOWN, PromiseRow, PromiseStatus.OPEN.value, customer_id, status, offset=offset, limit=limit
    )
    ids = {row.customer_pk: row.customer_id for row in found.rows}
    names = {row.customer_id: row.customer_name for row in found.rows}
    return repository.CasePage(found.total, _load(session, found.rows, ids), names)


def make_promise(
    session: Session,
    customer_id: str,
    amount: Decimal,
    promised_date: dt.date,
    *,
    actor: str,
    invoices: Sequence[str] = (),
    grace_days: int = DEFAULT_GRACE_DAYS,
    made_on: dt.date | None = None,
    as_of: dt.date | None = None,
    note: str = "",
) -> Promise:
    """Record that the customer promised ``amount`` by ``promised_date`` for some invoices.

    No invoice named means every open invoice of the customer on the day the promise is made
    (disputed ones aside), so the promise pauses their reminders. ``as_of`` is the business
    date (the command's ``--as-of``); the promise is made on ``made_on``, by default that day.
    The promised date lies between the day it is made and a year after the business date; the
    amount is at most what the covered invoices owe, penalties included (``plausibility``).
    """
    owner = repository.customer(session, customer_id)
    if amount <= 0:
        raise CaseworkError.because("promise_not_positive", field="amount", amount=str(amount))
    if not is_whole_cents(amount):
        raise CaseworkError.because("two_decimals", field="amount", amount=str(amount))
    if grace_days < 0:
        raise CaseworkError.because("grace_negative", field="grace_days")
    if as_of is None and made_on is None:
        raise CaseworkError.because("promise_needs_day", field="as_of")
    business = as_of or made_on
    made_on = made_on or business
    assert business is not None and made_on is not None
    plausibility.made_on(made_on, business)
    if promised_date < made_on:
        raise CaseworkError.because(
            "promised_before_made", field="promised_date", promised=promised_date, made=made_on
        )
    plausibility.within_a_year(promised_date, business, "promised_date", "promised date")
    covered = (
        repository.entries(session, owner, invoices)
        if invoices
        else repository.open_invoices(session, owner, made_on)
    )
    if not covered:
        raise CaseworkError.because(
            "nothing_to_promise", field="invoice_ids", customer=owner.customer_id, day=made_on
        )
    currency = repository.invoice_currency(covered, owner.currency)
    open_amounts = open_cents(session, [ref.id for ref in covered], made_on)
    plausibility.promised_amount(
        amount,
        [
            plausibility.OpenInvoice(
                ref.reference, ref.due_date, from_cents(max(open_amounts.get(ref.id, 0), 0))
            )
            for ref in covered
        ],
        made_on,
        currency,
    )
    row = PromiseRow(
        customer_pk=owner.pk,
        amount_cents=to_cents(amount),
        currency=currency,
        made_on=made_on,
        promised_date=promised_date,
        grace_days=grace_days,
        honour_by=rules.honour_by(promised_date, grace_days),
        status=PromiseStatus.OPEN.value,
        note=note,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    session.add_all(PromiseEntryRow(promise_id=row.id, entry_id=ref.id) for ref in covered)
    session.flush()
    record(
        session,
        actor,
        "promise.made",
        customer_id=owner.customer_id,
        subject=f"promise:{row.id}",
        details={
            "amount": format_amount(amount),
            "currency": row.currency,
            "promised_date": promised_date.isoformat(),
            "grace_days": grace_days,
            "invoices": sorted(ref.key for ref in covered),
            "note": note,
        },
    )
    return get_promise(session, row.id)


def cancel_promise(session: Session, promise_id: int, actor: str, reason: str = "") -> Promise:
    """Withdraw an open promise: reminders resume and it is never evaluated as broken."""
    row = repository.get_row(session, PromiseRow, promise_id, "promise")
    if row.status != PromiseStatus.OPEN.value:
        raise CaseworkError.because("promise_closed", field="promise", promise=promise_id, status=row.status)
    row.status = PromiseStatus.CANCELLED.value
    session.flush()
    promise = get_promise(session, promise_id)
    record(
        session,
        actor,
        "promise.cancelled",
        customer_id=promise.customer_id,
        subject=f"promise:{promise_id}",
        details={"reason": reason},
    )
    return promise


def promise_paid(session: Session, promise_ids: Iterable[int], as_of: dt.date) -> dict[int, Decimal]:
    """Amount paid toward each promise by ``as_of`` (within its window), set-wise."""
    ids = sorted(set(promise_ids))
    totals: dict[int, int] = defaultdict(int)
    if not ids:
        return {}
    named = select(PromiseEntryRow.promise_id).distinct().where(PromiseEntryRow.promise_id.in_(ids))
    # paid toward the promise in its window (not an open amount: that is unapplied_cents')
    allocated = (
        select(PromiseEntryRow.promise_id, AllocationRow.amount_cents)
        .join(PromiseRow, PromiseRow.id == PromiseEntryRow.promise_id)
        .join(AllocationRow, AllocationRow.debit_entry_id == PromiseEntryRow.entry_id)
        .where(
            PromiseRow.id.in_(ids),
            AllocationRow.date >= PromiseRow.made_on,
            AllocationRow.date <= PromiseRow.honour_by,
            AllocationRow.date <= as_of,
        )
    )
    window = repository.payment_filter(PromiseRow.made_on, PromiseRow.honour_by, as_of)
    received = session.execute(
        select(PromiseRow.id, EntryRow.id)
        .join(EntryRow, EntryRow.customer_pk == PromiseRow.customer_pk)
        .where(PromiseRow.id.in_(named), *window)
    ).all()
    left = repository.unapplied_cents(session, [entry_id for _, entry_id in received], as_of)
    unapplied = [(promise_id, left.get(entry_id, 0)) for promise_id, entry_id in received]
    on_account = (
        select(PromiseRow.id, -EntryRow.amount_cents)
        .join(EntryRow, EntryRow.customer_pk == PromiseRow.customer_pk)
        .where(PromiseRow.id.in_(ids), PromiseRow.id.not_in(named), *window)
    )
    for rows in (session.execute(allocated), unapplied, session.execute(on_account)):
        for promise_id, cents in rows:
            if cents and int(cents) > 0:
                totals[promise_id] += int(cents)
    return {promise_id: from_cents(totals.get(promise_id, 0)) for promise_id in ids}


def evaluate_promises(session: Session, as_of: dt.date, actor: str = "system") -> list[PromiseOutcome]:
    """Settle every open promise made by ``as_of``: kept when paid, broken past its deadline.

    Returns only the promises whose status changed; idempotent for the same day.
    """
    rows = session.scalars(
        select(PromiseRow)
        .where(PromiseRow.status == PromiseStatus.OPEN.value, PromiseRow.made_on <= as_of)
        .order_by(PromiseRow.id)
    ).all()
    paid = promise_paid(session, [row.id for row in rows], as_of)
    names = repository.customers_by_pk(session, {row.customer_pk for row in rows})
    outcomes: list[PromiseOutcome] = []
    for row in rows:
        status = rules.evaluate(from_cents(row.amount_cents), paid[row.id], row.honour_by, as_of)
        if status is PromiseStatus.OPEN:
            continue
        customer_id = names[row.customer_pk]
        row.status = status.value
        row.paid_cents = to_cents(paid[row.id])
        row.evaluated_on = as_of
        session.flush()
        record(
            session,
            actor,
            f"promise.{status.value}",
            customer_id=customer_id,
            subject=f"promise:{row.id}",
            details={
                "amount": format_amount(from_cents(row.amount_cents)),
                "paid": format_amount(paid[row.id]),
                "honour_by": row.honour_by.isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
        if status is PromiseStatus.BROKEN:
            _follow_up_broken(session, row, customer_id, paid[row.id], as_of, actor)
        outcomes.append(PromiseOutcome(row.id, customer_id, status, paid[row.id]))
    return outcomes


def _follow_up_broken(
    session: Session, row: PromiseRow, customer_id: str, paid: Decimal, as_of: dt.date, actor: str
) -> None:
    """A broken promise: the collector gets a call task and a notification (reminders resume by
    themselves, the promise no longer being open)."""
    keys = get_promise(session, row.id).entry_keys
    title = (
        f"Broken promise {row.id}: {format_amount(from_cents(row.amount_cents))} {row.currency} "
        f"due {row.promised_date}, {format_amount(paid)} received"
    )
    create_task(
        session, customer_id, "call", title, as_of, source="promise", actor=actor,
        ref=f"promise:{row.id}:broken", entry_keys=keys,
    )  # fmt: skip
    amount = notifications.amounts(from_cents(row.amount_cents), row.currency)
    received = notifications.amounts(paid, row.currency)
    day = f"{row.promised_date:%d/%m/%Y}"
    said = (
        f"promesse {row.id} de {amount[0]} pour le {day} non tenue ({received[0]} reçus)",
        f"promise {row.id} of {amount[1]} for {day} broken ({received[1]} received)",
    )
    notifications.notify(session, notifications.Kind.BROKEN_PROMISE, said, customer_id)


def set_outcome(session: Session, promise_id: int, outcome: str, *, actor: str, as_of: dt.date) -> Promise:
    """A person settles an open promise: ``kept`` (the money came) or ``broken`` (it will not).

    A broken promise resumes reminders for its invoices at once and opens the collector's call
    task, as the nightly evaluation would.
    """
    try:
        status = PromiseStatus(outcome)
    except ValueError:
        status = PromiseStatus.OPEN
    if status not in (PromiseStatus.KEPT, PromiseStatus.BROKEN):
        raise CaseworkError.because("outcome_kept_or_broken", field="outcome", outcome=outcome)
    row = repository.get_row(session, PromiseRow, promise_id, "promise")
    if row.status != PromiseStatus.OPEN.value:
        raise CaseworkError.because("promise_closed", field="outcome", promise=promise_id, status=row.status)
    paid = promise_paid(session, [row.id], as_of)[row.id]
    row.status, row.paid_cents, row.evaluated_on = status.value, to_cents(paid), as_of
    session.flush()
    customer_id = repository.customers_by_pk(session, [row.customer_pk])[row.customer_pk]
    record(
        session, actor, f"promise.{status.value}", customer_id=customer_id, subject=f"promise:{row.id}",
        details={
            "amount": format_amount(from_cents(row.amount_cents)), "paid": format_amount(paid),
            "honour_by": row.honour_by.isoformat(), "as_of": as_of.isoformat(), "by": "person",
        },
    )  # fmt: skip
    if status is PromiseStatus.BROKEN:
        _follow_up_broken(session, row, customer_id, paid, as_of, actor)
    return get_promise(session, promise_id)
