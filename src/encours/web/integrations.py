"""Adapters to the other capabilities (casework, collections, foresight) as they land.

The web layer calls their services and never re-implements their rules; until a
capability is installed, the screens fall back to what the ledger and audit trail hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from encours.audit.models import AuditEventRow
from encours.audit.service import AuditEvent, events, record
from encours.storage.base import utcnow


class ActionForm(NamedTuple):
    kind: str  # note | call | promise | dispute | assign
    text: str
    invoice_id: str
    amount: str
    promised_date: str
    assignee: str


class Board(NamedTuple):
    available: bool
    columns: list[str]
    rows: list[dict[str, Any]]


def timeline(session: Session, customer_id: str, limit: int = 200) -> list[AuditEvent]:
    """Everything that happened to a customer, latest first."""
    return list(events(session, customer_id=customer_id, limit=limit))


def add_note(session: Session, actor: str, customer_id: str, text: str, invoice_id: str | None) -> AuditEvent:
    record(session, actor, "note.added", customer_id=customer_id, subject=invoice_id, details={"text": text})
    return events(session, customer_id=customer_id, limit=1)[0]


def customer_action(session: Session, actor: str, customer_id: str, form: ActionForm) -> None:
    """One-click worklist actions; each lands in the audit trail with its author."""
    details: dict[str, Any] = {"text": form.text} if form.text else {}
    if form.kind == "promise":
        details.update({"amount": form.amount, "promised_date": form.promised_date})
    if form.kind == "assign":
        details["assignee"] = form.assignee
    action = {"note": "note.added", "call": "call.logged", "promise": "promise.recorded",
              "dispute": "dispute.opened", "assign": "customer.assigned"}[form.kind]  # fmt: skip
    record(session, actor, action, customer_id=customer_id, subject=form.invoice_id or None, details=details)


def portal_declaration(
    session: Session, customer_id: str, kind: str, invoice_id: str | None, details: dict[str, object]
) -> None:
    """A customer's declaration from the portal, handed to casework when it is installed."""
    return None


def weekly_forecast(session: Session, as_of: dt.date) -> dict[str, Any] | None:
    """13-week expected cash-in (foresight), or None while foresight is not installed."""
    return None


def risk_score(session: Session, customer_id: str, as_of: dt.date) -> dict[str, Any] | None:
    return None


def dunning_activity(session: Session, as_of: dt.date) -> list[tuple[str, int]]:
    """Dunning events of the last 30 days by kind, from the audit trail."""
    since = utcnow() - dt.timedelta(days=30)
    rows = session.execute(
        select(AuditEventRow.action, func.count())
        .where(AuditEventRow.action.like("dunning.%"), AuditEventRow.at >= since)
        .group_by(AuditEventRow.action)
        .order_by(AuditEventRow.action)
    )
    return [(action, int(count)) for action, count in rows.tuples()]


def disputes_board(session: Session) -> Board:
    return Board(False, [], [])


def promises_board(session: Session, as_of: dt.date) -> Board:
    return Board(False, [], [])


def dunning_view(session: Session, as_of: dt.date) -> Board:
    return Board(False, [], [])


def broken_promises(session: Session, as_of: dt.date) -> list[str]:
    """Promises past their date and not kept, one line each (casework when installed)."""
    return []
