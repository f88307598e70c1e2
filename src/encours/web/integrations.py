"""Adapters from the screens and the API to the other capabilities' services.

Casework (disputes, promises, plans, notes, tasks, assignment, credit, timeline) is called
here; foresight lives in foresight_views, dunning in ui/dunning. The web layer never
re-implements their rules.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.audit import service as audit
from encours.casework import (
    assignment,
    credit_limits,
    disputes,
    notes,
    notifications,
    promises,
    tasks,
)
from encours.casework import timeline as casework_timeline
from encours.casework.errors import CaseworkError
from encours.casework.holds import CustomerStatus
from encours.casework.queries import AccountCredit, account_credit
from encours.casework.timeline import TimelineItem
from encours.domain.money import format_amount
from encours.domain.punctuation import mark
from encours.domain.user_amounts import AmountError, parse_positive_amount
from encours.einvoicing import timeline as _einvoice_statuses  # noqa: F401  (adds its items)
from encours.ledger.queries import StoredCustomer
from encours.storage.base import today, utcnow
from encours.web.ledger_views import CustomerSummary


class ActionForm(NamedTuple):
    kind: str  # note | call | promise | dispute | assign
    text: str
    invoice_id: str
    amount: str
    promised_date: str
    assignee: str
    as_of: str = ""  # the screen's business date (empty: today)


def parse_amount(text: str, field: str = "amount") -> Decimal:
    try:
        return parse_positive_amount(text)
    except AmountError as exc:
        raise CaseworkError.retold(exc, field=field) from None


def parse_day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CaseworkError.because("not_a_date", field=field, text=text) from None


def invoice_names(text: str) -> list[str]:
    """Invoice numbers typed in one field, separated by commas, semicolons or spaces."""
    return [name for name in re.split(r"[\s,;]+", text) if name]


# timeline and notes --------------------------------------------------------------------
def timeline(session: Session, customer_id: str, limit: int = 200) -> list[TimelineItem]:
    """Everything that happened to a customer, latest first (casework's timeline, with the
    e-invoicing statuses ``encours.einvoicing.timeline`` adds to it)."""
    return casework_timeline.timeline(session, customer_id, newest_first=True)[:limit]


def add_note(session: Session, actor: str, customer_id: str, text: str, invoice_id: str | None) -> notes.Note:
    return notes.add_note(session, customer_id, text, author=actor, invoice=invoice_id or None)


# one-click actions ---------------------------------------------------------------------
def log_call(session: Session, actor: str, customer_id: str, summary: str) -> tasks.Task:
    """A call made now: one done call task with its summary (one line on the timeline)."""
    return tasks.log_call(session, customer_id, summary or "call", actor=actor, day=today())


def customer_action(session: Session, actor: str, customer_id: str, form: ActionForm) -> None:
    """Worklist and customer-sheet actions, each through the casework service that owns it."""
    invoice = form.invoice_id.strip()
    if form.kind == "note":
        add_note(session, actor, customer_id, form.text, invoice or None)
    elif form.kind == "call":
        log_call(session, actor, customer_id, form.text.strip())
    elif form.kind == "promise":  # no invoice named: every open invoice of the customer
        promises.make_promise(
            session,
            customer_id,
            parse_amount(form.amount),
            parse_day(form.promised_date, "promised_date"),
            actor=actor,
            invoices=invoice_names(invoice),
            note=form.text.strip(),
            as_of=parse_day(form.as_of, "as_of") if form.as_of.strip() else today(),
        )
    elif form.kind == "dispute":
        if not invoice:
            raise CaseworkError.because("name_disputed_invoice", field="invoice_id")
        disputes.open_dispute(session, customer_id, invoice, reason=form.text.strip(), actor=actor)
    elif form.kind == "assign":
        assignment.assign(session, customer_id, assignment.Role.COLLECTOR, form.assignee, actor=actor)
    else:
        raise CaseworkError.because("unknown_action", field="kind", kind=form.kind)


DECLARED = {"payment": ("paiement déclaré", "declared payment"), "promise": ("promesse", "promise"),
            "dispute": ("contestation", "dispute")}  # fmt: skip


def portal_declaration(
    session: Session, customer_id: str, kind: str, invoice_id: str | None, details: dict[str, object]
) -> None:
    """A customer's declaration from the portal becomes casework the collectors see."""
    actor = f"portal:{customer_id}"
    message = str(details.get("message", ""))
    said = " · ".join(str(details[k]) for k in ("amount", "date", "message") if details.get(k))
    declared = DECLARED.get(kind, (kind, kind))
    about = f" {invoice_id}" if invoice_id else ""
    notifications.notify(
        session, notifications.Kind.DECLARATION,
        (f"{declared[0]}{about}{mark(':', 'fr')} {said}", f"{declared[1]}{about}{mark(':', 'en')} {said}"),
        customer_id,
    )  # fmt: skip
    if kind == "dispute" and invoice_id:
        disputes.open_dispute(
            session, customer_id, invoice_id, reason=message or "raised from the portal", actor=actor
        )
    elif kind == "promise" and "amount" in details:
        promises.make_promise(
            session,
            customer_id,
            Decimal(str(details["amount"])),
            dt.date.fromisoformat(str(details["date"])),
            actor=actor,
            invoices=[invoice_id] if invoice_id else [],
            note=message,
            as_of=today(),
        )
    else:  # a declared payment (or a promise without amount): a collector checks it
        what = "payment" if kind == "payment" else "promise"
        amount = details.get("amount", "")
        title = f"customer declares a {what} {amount} on {details.get('date', '')}".strip()
        tasks.create_task(
            session, customer_id, f"check_{what}", title[:200], today(),
            entry_keys=[invoice_id] if invoice_id else [], source="portal", actor=actor,
        )  # fmt: skip


# customer sheet ------------------------------------------------------------------------
def credit(
    session: Session, stored: StoredCustomer, summary: CustomerSummary, as_of: dt.date, data_dir: Path,
    status: CustomerStatus | None = None,
) -> AccountCredit:  # fmt: skip
    """The account's credit position (casework's rule) over the sheet's own balances, other
    currencies at the exchange-rate table of the data directory (else the shipped one);
    ``status``: the account's holds, when the sheet has read them."""
    outstanding = {b.currency: b.balance for b in summary.balances}
    rates = credit_limits.load_fx_rates(data_dir)
    return account_credit(session, stored.pk, summary.customer, outstanding, as_of, rates, status)


# dashboard and boards ------------------------------------------------------------------
def dunning_activity(session: Session, as_of: dt.date) -> list[tuple[str, int]]:
    """Dunning events of the 30 days before now, by kind, from the audit trail."""
    return audit.action_counts(session, "dunning.", utcnow() - dt.timedelta(days=30))


def broken_promises(session: Session, as_of: dt.date) -> list[str]:
    """Broken promises, one line each."""
    return [
        f"{p.customer_id}: {format_amount(p.amount)} {p.currency} promised for {p.promised_date.isoformat()}"
        for p in promises.list_promises(session, status="broken")
    ]
