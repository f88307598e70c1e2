"""What the collector's screens and the workspace API do beyond one casework call: bulk actions
on worklist customers, a dispute resolved with a note, a plan on the open invoices, statements.

Each step goes through the service that owns it; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session

from encours.audit.service import events, record
from encours.casework import assignment, disputes, holds, notes, plans, queries
from encours.casework.errors import CaseworkError
from encours.domain.errors import NotFound
from encours.dunning.channels.smtp import OutgoingMail, message_id, send_all
from encours.dunning.document_paths import mail_file
from encours.jobs import service as jobs
from encours.jobs.views import JobView
from encours.ledger.queries import find_customer
from encours.settings.smtp import SmtpConfig
from encours.users.service import UserService
from encours.web.ledger_views import OpenItemView, open_items
from encours.web.portal.statement import statement_pdf

BULK_ACTIONS = ("assign", "pause", "statement")
STATEMENT_SENT = "dunning.statement_sent"


def a_user(session: Session, email: str | None, field: str = "assignee") -> str:
    """The e-mail of an active user of Encours, else a refusal naming the field."""
    found = UserService(session).by_email(email or "")
    if found is None or not found.active:
        raise CaseworkError.because("not_a_user", field=field, email=email or "(none)")
    return found.email


def resolve(
    session: Session, dispute_id: int, resolution: str, note: str, *, actor: str, rejected: bool = False
) -> disputes.Dispute:
    """Close the dispute (resolved, or rejected) and keep the note on its invoice."""
    close = disputes.reject_dispute if rejected else disputes.resolve_dispute
    closed = close(session, dispute_id, resolution=resolution, actor=actor)
    if note.strip():
        notes.add_note(session, closed.customer_id, note, author=actor, invoice=closed.invoice)
    return closed


def plan_on_open_invoices(
    session: Session, customer_id: str, invoices: Sequence[str], count: int, first_due: dt.date,
    *, actor: str, as_of: dt.date, every_months: int = 1, note: str = "",
) -> plans.Plan:  # fmt: skip
    """A plan of ``count`` instalments on ``invoices``, or on every open invoice when none is named."""
    chosen = list(invoices) or [i.invoice_id for i in open_invoices(session, customer_id, as_of)]
    return plans.create_plan(
        session, customer_id, chosen, start_date=as_of, actor=actor, count=count, first_due=first_due,
        every_months=every_months, note=note, as_of=as_of,
    )  # fmt: skip


def open_invoices(session: Session, customer_id: str, as_of: dt.date) -> list[OpenItemView]:
    """The customer's invoices a promise, a plan or a statement can cover at ``as_of`` (open,
    not disputed), as the customer sheet lists them."""
    stored = find_customer(session, customer_id)
    if stored is None:
        raise NotFound.because("no_customer", customer=customer_id)
    allowed = queries.statement_entry_ids(session, customer_id, as_of)
    return [i for i in open_items(session, [stored.pk], as_of) if i.entry_id in allowed]


def bulk(
    session: Session, action: str, customer_ids: Sequence[str], *, actor: str, as_of: dt.date,
    assignee: str | None = None, until: dt.date | None = None,
) -> int:  # fmt: skip
    """Assign or pause reminders until a date, for each customer (fast, in the request); returns
    how many. Statements are mailed by a job: :func:`queue_statements`."""
    chosen = sorted(set(customer_ids))
    if action == "assign":
        who = a_user(session, assignee)
        for cid in chosen:
            assignment.assign(session, cid, assignment.Role.COLLECTOR, who, actor=actor)
    elif action == "pause":
        if until is None or until < as_of:
            raise CaseworkError.because("pause_from_today", field="until")
        for cid in chosen:
            holds.place_hold(
                session, cid, holds.HoldKind.PAUSE, actor=actor, start_date=as_of, end_date=until,
                reason="paused from the worklist",
            )  # fmt: skip
    else:
        raise CaseworkError.because("unknown_bulk_action", field="action", kind=action, expected=BULK_ACTIONS)
    return len(chosen)


def queue_statements(session: Session, customer_ids: Sequence[str], as_of: dt.date, *, actor: str) -> JobView:
    """The ``statements`` job (``web.statement_jobs``) mailing each customer its statement; it
    starts once the caller commits, so the request answers at once."""
    chosen = sorted(set(customer_ids))
    if not chosen:
        raise CaseworkError("tick at least one customer", field="customer_ids")
    for cid in chosen:
        if find_customer(session, cid) is None:
            raise NotFound(f"no customer {cid}", field="customer_ids")
    params = {"customer_ids": chosen, "as_of": as_of.isoformat(), "actor": actor}
    return jobs.enqueue(session, "statements", params, requested_by=actor)


def statement_mail(session: Session, customer_id: str, as_of: dt.date, sender: str) -> EmailMessage | None:
    """The customer's statement of account (its open, undisputed invoices) as an e-mail with the
    PDF; None when the customer has no e-mail address."""
    stored = find_customer(session, customer_id)
    if stored is None:
        raise NotFound.because("no_customer", customer=customer_id)
    customer = stored.customer
    if not customer.email:
        return None
    language = customer.language or "fr"
    items = [i for i in open_invoices(session, customer_id, as_of) if i.open_amount > 0]
    pdf = statement_pdf(customer, items, language)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = customer.email
    english = language == "en"
    message["Subject"] = "Statement of account" if english else "Relevé de compte"
    message.set_content(
        "Please find attached your statement of account.\n"
        if english
        else "Veuillez trouver ci-joint votre relevé de compte.\n"
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"releve-{customer_id}.pdf")
    return message


class NotDelivered(CaseworkError):
    """The SMTP server did not take the statement."""


def statement_key(customer_id: str, as_of: dt.date, job_id: int) -> str:
    """One statement's name (its .eml file, its audit subject): sent once per job and customer."""
    return f"statement-{customer_id}-{as_of.isoformat()}-job{job_id}"


def statement_sent(session: Session, customer_id: str, key: str) -> bool:
    """Whether this statement is on the customer's audit trail already (a retried job skips it)."""
    return any(e.action == STATEMENT_SENT and e.subject == key for e in events(session, customer_id))


def send_statement(
    session: Session, customer_id: str, as_of: dt.date, *, key: str, actor: str, smtp: SmtpConfig | None,
    data_dir: Path,
) -> None:  # fmt: skip
    """E-mail the customer its statement: over SMTP when configured, else written as an .eml file
    under the data directory (as dunning does); once sent it is on the customer's timeline.

    Refusals: ``CaseworkError`` (no e-mail address), ``NotDelivered`` (the server refused it).
    """
    sender = smtp.sender if smtp else "encours@localhost"
    message = statement_mail(session, customer_id, as_of, sender)
    if message is None:
        raise CaseworkError.because("no_statement_address", field="customer_ids", customer=customer_id)
    message["Message-ID"] = message_id(key, sender)  # a retried job's repeat is recognisable
    mail = OutgoingMail(key, message)
    if smtp is not None:
        failures: list[Exception] = []
        send_all(smtp, [mail], lambda _mail, error: failures.append(error) if error else None)
        if failures:
            raise NotDelivered.because(
                "statement_not_delivered", field="customer_ids", customer=customer_id, reason=str(failures[0])
            )
    else:
        path = mail_file(data_dir, mail.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(mail.message.as_bytes())
    record(
        session, actor, STATEMENT_SENT, customer_id=customer_id, subject=key,
        details={"as_of": as_of.isoformat(), "channel": "email"},
    )  # fmt: skip
