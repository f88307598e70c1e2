"""Notifications by e-mail, for the users who chose it, through dunning's SMTP channel.

Sent by the ``notification_emails`` job, which the shipped schedule starts every 15 minutes
(or ``encours notifications send``), after the transactions that produced the notifications
(the dunning run, the portal declaration, the credit check). Without SMTP configured nothing
is sent and the notifications stay in the app, marked e-mailed only once the server accepted
them. One message is in flight at a time, each taken with a row lock that another job at the
same time skips (PostgreSQL) and marked e-mailed in that transaction right after the server
accepted it: a job killed mid-batch and retried sends again at most the one in flight, with
the same Message-ID.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine

from encours.casework import notifications
from encours.dunning.channels.smtp import Sender, message_id, smtp_config
from encours.jobs.registry import JobContext, job_kind
from encours.settings.smtp import SmtpConfig
from encours.storage.database import unit_of_work

SUBJECTS = {
    "declaration": ("Déclaration d'un client sur le portail", "A customer's declaration on the portal"),
    "broken_promise": ("Promesse de paiement non tenue", "Broken promise to pay"),
    "failed_delivery": ("Relance non délivrée", "Reminder not delivered"),
    "limit_exceeded": ("Limite de crédit dépassée", "Credit limit exceeded"),
}


def message_of(pending: notifications.PendingEmail, sender: str) -> EmailMessage:
    french, english = SUBJECTS.get(pending.kind, ("Notification", "Notification"))
    subject = english if pending.language == "en" else french
    message = EmailMessage()
    message["From"] = sender
    message["To"] = pending.email
    message["Subject"] = f"Encours : {subject}" if pending.language != "en" else f"Encours: {subject}"
    message["Message-ID"] = message_id(f"notification-{pending.notification_id}", sender)
    about = f"{pending.customer_id} — " if pending.customer_id else ""
    message.set_content(f"{about}{pending.message}\n")
    return message


def send_notification_emails(engine: Engine, smtp: SmtpConfig | None) -> int:
    """E-mail every pending notification, each marked as soon as the server accepted it;
    returns how many it accepted."""
    if smtp is None:
        return 0
    with unit_of_work(engine) as session:
        waiting = notifications.pending_email_ids(session)
    sent = 0
    with Sender(smtp) as sender:
        for notification_id in waiting:
            with unit_of_work(engine) as session:
                pending = notifications.take_email(session, notification_id)
                if pending is not None and sender.send(message_of(pending, smtp.sender)) is None:
                    notifications.mark_emailed(session, [notification_id])
                    sent += 1
    return sent


@job_kind("notification_emails")
def notification_emails(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """E-mail the notifications of the users who chose e-mail (each once)."""
    smtp = smtp_config(context.settings)
    if smtp is None:
        return {"sent": 0, "reason": "no SMTP server configured: the notifications stay in the app"}
    return {"sent": send_notification_emails(context.engine, smtp)}
