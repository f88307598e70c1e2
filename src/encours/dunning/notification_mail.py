"""Notifications by e-mail, for the users who chose it, through dunning's SMTP channel.

Sent by the ``notification_emails`` job, which the shipped schedule starts every 15 minutes
(or ``encours notifications send``), after the transactions that produced the notifications
(the dunning run, the portal declaration, the credit check). Without SMTP configured nothing
is sent and the notifications stay in the app, marked e-mailed only once the server accepted
them. Two jobs at once never send one twice: each takes the notifications it e-mails with a
row lock the other skips (PostgreSQL).
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from encours.casework import notifications
from encours.dunning.channels.smtp import OutgoingMail, send_all, smtp_config
from encours.jobs.registry import JobContext, job_kind
from encours.settings.smtp import SmtpConfig

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
    about = f"{pending.customer_id} — " if pending.customer_id else ""
    message.set_content(f"{about}{pending.message}\n")
    return message


def send_notification_emails(session: Session, smtp: SmtpConfig | None) -> int:
    """E-mail every pending notification; returns how many the server accepted."""
    if smtp is None:
        return 0
    pending = notifications.pending_emails(session)
    mails = [OutgoingMail(f"notification:{p.notification_id}", message_of(p, smtp.sender)) for p in pending]
    accepted: list[int] = []

    def on_result(mail: OutgoingMail, error: Exception | None) -> None:
        if error is None:
            accepted.append(int(mail.key.split(":", 1)[1]))

    if mails:
        send_all(smtp, mails, on_result)
    notifications.mark_emailed(session, accepted)
    return len(accepted)


@job_kind("notification_emails")
def notification_emails(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """E-mail the notifications of the users who chose e-mail (each once)."""
    smtp = smtp_config(context.settings)
    if smtp is None:
        return {"sent": 0, "reason": "no SMTP server configured: the notifications stay in the app"}
    with context.session() as session:
        return {"sent": send_notification_emails(session, smtp)}
