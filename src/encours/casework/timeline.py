"""One chronological list of everything that happened with a customer.

Documents and payments come from the ledger, reminders and other dunning actions from the
audit trail (actions ``dunning.*``), casework (disputes, promises, plans, calls and other
tasks, notes, holds) from its own tables with their business dates. Every item is placed on
its business date: a dunning action on its run's ``--as-of``, a promise on the day it was
made, a task made by a run or a promise on its due date. Order: business day, then items
without a time (ledger documents) before timed ones, then time, kind and reference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, exists, select
from sqlalchemy.orm import Session

from encours.audit.models import AuditEventRow
from encours.casework import repository
from encours.casework.models import (
    DisputeRow,
    HoldRow,
    InstalmentRow,
    NoteRow,
    PlanRow,
    PromiseRow,
    TaskRow,
)
from encours.casework.repository import CustomerRef
from encours.casework.tasks import LOGGED_CALL
from encours.domain.money import format_amount, from_cents
from encours.ledger.models import EntryRow

DUNNING_PREFIX = "dunning."
ASSIGNMENT_PREFIX = "assignment."


class TimelineItem(NamedTuple):
    day: dt.date
    at: dt.datetime | None  # None for ledger documents, which carry only a date
    kind: str  # invoice, payment, credit_note, dunning, dispute, promise, plan, call, task, note, hold
    event: str  # what happened: issued, opened, resolved, made, kept, broken, added, done...
    title: str
    actor: str | None
    amount: Decimal | None
    currency: str | None
    ref: str  # stable reference of the source row (entry key, promise:12, task:3...)


Source = Callable[[Session, CustomerRef], list[TimelineItem]]  # one kind of timeline items
Probe = Callable[[CustomerRef], Select[Any]]  # finds whether a source has rows for the customer
_ADDED: dict[Source, Probe] = {}


def add_source(source: Source, probe: Probe) -> None:
    """A capability above casework (e-invoicing statuses) puts its events on the timeline."""
    _ADDED[source] = probe


def _stamped(at: dt.datetime, kind: str, event: str, title: str, actor: str | None, ref: str) -> TimelineItem:
    """An event that carries a time and no amount (a call, a note, a dispute closed...)."""
    return TimelineItem(at.date(), at, kind, event, title, actor, None, None, ref)


def _sort_key(item: TimelineItem) -> tuple[Any, ...]:
    return (
        item.day,
        item.at is not None,
        item.at or dt.datetime.min.replace(tzinfo=dt.UTC),
        item.kind,
        item.ref,
        item.event,
    )


def timeline(
    session: Session,
    customer_id: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    newest_first: bool = False,
) -> list[TimelineItem]:
    """The customer's items from ``since`` to ``until`` (inclusive), oldest first by default."""
    owner = repository.customer(session, customer_id)
    items = _ledger(session, owner)
    for source in _sources_with_rows(session, owner):
        items.extend(source(session, owner))
    kept = [i for i in items if (since is None or i.day >= since) and (until is None or i.day <= until)]
    return sorted(kept, key=_sort_key, reverse=newest_first)


def _audit_of(owner: CustomerRef, prefix: str) -> list[ColumnElement[bool]]:
    """The customer's audit events whose action starts with ``prefix`` (dunning., assignment.)."""
    return [AuditEventRow.customer_id == owner.customer_id, AuditEventRow.action.startswith(prefix)]


def _casework_probes(owner: CustomerRef) -> dict[Source, Select[Any]]:
    return {
        _dunning: select(AuditEventRow.id).where(*_audit_of(owner, DUNNING_PREFIX)),
        _disputes: select(DisputeRow.id).where(DisputeRow.customer_pk == owner.pk),
        _promises: select(PromiseRow.id).where(PromiseRow.customer_pk == owner.pk),
        _plans: select(PlanRow.id).where(PlanRow.customer_pk == owner.pk),
        _tasks: select(TaskRow.id).where(TaskRow.customer_pk == owner.pk),
        _notes: select(NoteRow.id).where(NoteRow.customer_pk == owner.pk),
        _holds: select(HoldRow.id).where(HoldRow.customer_pk == owner.pk),
        _assignments: select(AuditEventRow.id).where(*_audit_of(owner, ASSIGNMENT_PREFIX)),
    } | {source: probe(owner) for source, probe in _ADDED.items()}


def _sources_with_rows(session: Session, owner: CustomerRef) -> list[Source]:
    """The casework sources that hold rows for the customer, found with one query: most
    customers have no casework, and a customer sheet must stay cheap on big ledgers."""
    probes = _casework_probes(owner)
    present = session.execute(select(*(exists(probe) for probe in probes.values()))).one()
    return [source for source, found in zip(probes, present, strict=True) if found]


_LEDGER = select(
    EntryRow.kind, EntryRow.reference, EntryRow.date, EntryRow.due_date, EntryRow.amount_cents,
    EntryRow.currency, EntryRow.disputed, EntryRow.key,
).where(EntryRow.customer_pk == bindparam("pk"))  # fmt: skip


def _ledger(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.execute(_LEDGER, {"pk": owner.pk}).all()
    found = []
    for row in rows:
        amount = from_cents(abs(row.amount_cents))
        event = "received" if row.kind == "payment" else "issued"
        title = f"{row.kind.replace('_', ' ')} {row.reference}"
        if row.amount_cents > 0:
            title += f", due {row.due_date.isoformat()}"
        if row.disputed:
            title += " (disputed in the accounts)"
        found.append(
            TimelineItem(row.date, None, row.kind, event, title, None, amount, row.currency, row.key)
        )
    return found


def _dunning(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(AuditEventRow).where(*_audit_of(owner, DUNNING_PREFIX))).all()
    found = []
    for row in rows:
        details = dict(row.details or {})
        parts = [str(details[k]) for k in ("step", "channel") if details.get(k)]
        invoices = details.get("invoice_ids") or details.get("invoices")
        if isinstance(invoices, list) and invoices:
            parts.append("invoices " + ", ".join(map(str, invoices)))
        event = row.action.removeprefix(DUNNING_PREFIX)
        title = event + (": " + ", ".join(parts) if parts else "")
        item = _stamped(row.at, "dunning", event, title, row.actor, row.subject or f"audit:{row.id}")
        found.append(item._replace(day=_business_day(details, row.at)))
    return found


def _business_day(details: dict[str, Any], at: dt.datetime) -> dt.date:
    """The run's ``as_of`` a dunning event names (its business date), else the day it was written."""
    try:
        return dt.date.fromisoformat(str(details["as_of"]))
    except (KeyError, ValueError):
        return at.date()


def _disputes(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(DisputeRow).where(DisputeRow.customer_pk == owner.pk)).all()
    docs = repository.entries_by_id(session, {row.entry_id for row in rows})
    found = []
    for row in rows:
        doc = docs[row.entry_id]
        ref = f"dispute:{row.id}"
        title = f"dispute on {doc.reference}: {row.reason}" + (f" (owner {row.owner})" if row.owner else "")
        found.append(
            TimelineItem(
                row.opened_on, row.opened_at, "dispute", "opened", title, row.opened_by, None, None, ref
            )
        )
        if row.closed_at is not None:
            title = f"dispute on {doc.reference} {row.status}: {row.resolution}"
            found.append(_stamped(row.closed_at, "dispute", row.status, title, row.closed_by, ref))
    return found


def _promises(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(PromiseRow).where(PromiseRow.customer_pk == owner.pk)).all()
    found = []
    for row in rows:
        ref = f"promise:{row.id}"
        amount = from_cents(row.amount_cents)
        found.append(
            TimelineItem(
                row.made_on,
                row.created_at,
                "promise",
                "made",
                f"promise to pay by {row.promised_date.isoformat()} (grace {row.grace_days} days)",
                row.created_by,
                amount,
                row.currency,
                ref,
            )
        )
        if row.evaluated_on is not None and row.status in ("kept", "broken"):
            paid = format_amount(from_cents(row.paid_cents or 0))
            found.append(
                TimelineItem(
                    row.evaluated_on,
                    None,
                    "promise",
                    row.status,
                    f"promise {row.status}: {paid} {row.currency} received",
                    None,
                    amount,
                    row.currency,
                    ref,
                )
            )
    return found


def _plans(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(PlanRow).where(PlanRow.customer_pk == owner.pk)).all()
    if not rows:
        return []
    instalments: dict[int, list[InstalmentRow]] = defaultdict(list)
    query = select(InstalmentRow).where(InstalmentRow.plan_id.in_([row.id for row in rows]))
    for instalment in session.scalars(query.order_by(InstalmentRow.id)):
        instalments[instalment.plan_id].append(instalment)
    found = []
    for row in rows:
        ref = f"plan:{row.id}"
        items = instalments[row.id]
        found.append(
            TimelineItem(
                row.start_date,
                row.created_at,
                "plan",
                "created",
                f"payment plan in {len(items)} instalments",
                row.created_by,
                from_cents(row.total_cents),
                row.currency,
                ref,
            )
        )
        for item in items:
            if item.status in ("kept", "broken"):
                day = item.settled_on if item.status == "kept" and item.settled_on else item.due_date
                found.append(
                    TimelineItem(
                        day,
                        None,
                        "plan",
                        f"instalment_{item.status}",
                        f"instalment {item.seq} due {item.due_date.isoformat()} {item.status}",
                        None,
                        from_cents(item.amount_cents),
                        row.currency,
                        f"{ref}#{item.seq}",
                    )
                )
        if row.closed_on is not None and row.status != "active":
            found.append(
                TimelineItem(
                    row.closed_on,
                    None,
                    "plan",
                    row.status,
                    f"payment plan {row.status}",
                    None,
                    None,
                    None,
                    ref,
                )
            )
    return found


def _tasks(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(TaskRow).where(TaskRow.customer_pk == owner.pk)).all()
    found = []
    for row in rows:
        ref = f"task:{row.id}"
        kind = "call" if row.kind == "call" else "task"
        if row.source == LOGGED_CALL and row.closed_at is not None:  # one line: the call happened
            said = row.outcome or row.title
            found.append(_stamped(row.closed_at, kind, "logged", said, row.closed_by, ref))
            continue
        assignee = f" for {row.assignee}" if row.assignee else ""
        title = f"{row.title}{assignee}, due {row.due_date.isoformat()}"
        planned = _stamped(row.created_at, kind, "planned", title, row.created_by, ref)
        if row.source != "manual":  # made by a run, a promise or a plan at its as_of: the due date
            planned = planned._replace(day=row.due_date)
        found.append(planned)
        if row.closed_at is not None:
            outcome = f": {row.outcome}" if row.outcome else ""
            title = f"{row.title} {row.status}{outcome}"
            found.append(_stamped(row.closed_at, kind, row.status, title, row.closed_by, ref))
    return found


def _notes(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(NoteRow).where(NoteRow.customer_pk == owner.pk)).all()
    docs = repository.entries_by_id(session, {row.entry_id for row in rows if row.entry_id is not None})
    found = []
    for row in rows:
        about = "" if row.entry_id is None else f"on {docs[row.entry_id].reference}: "
        title = about + row.body
        found.append(_stamped(row.created_at, "note", "added", title, row.author, f"note:{row.id}"))
    return found


def _holds(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    rows = session.scalars(select(HoldRow).where(HoldRow.customer_pk == owner.pk)).all()
    found = []
    for row in rows:
        ref = f"hold:{row.id}"
        until = f" until {row.end_date.isoformat()}" if row.end_date else ""
        reason = f": {row.reason}" if row.reason else ""
        found.append(
            TimelineItem(
                row.start_date,
                row.created_at,
                "hold",
                "placed",
                f"{row.kind.replace('_', ' ')}{until}{reason}",
                row.created_by,
                None,
                None,
                ref,
            )
        )
        if row.released_at is not None:
            title = f"{row.kind.replace('_', ' ')} released"
            found.append(_stamped(row.released_at, "hold", "released", title, row.released_by, ref))
    return found


def _assignments(session: Session, owner: CustomerRef) -> list[TimelineItem]:
    """Who follows the customer, as it changed (from the audit trail: assignments keep no history)."""
    rows = session.scalars(select(AuditEventRow).where(*_audit_of(owner, ASSIGNMENT_PREFIX))).all()
    found = []
    for row in rows:
        details = dict(row.details or {})
        event = row.action.removeprefix(ASSIGNMENT_PREFIX)  # set | removed
        role = (row.subject or "collector").replace("_", " ")
        who = details.get("to") if event == "set" else details.get("from")
        title = f"{role}: {who}" if who else role
        found.append(_stamped(row.at, "assignment", event, title, row.actor, f"audit:{row.id}"))
    return found
