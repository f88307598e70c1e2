"""Notifications by e-mail, for the users who chose it, through dunning's SMTP channel.

Called after the transaction that produced the notifications (the dunning run, the portal
declaration, the credit check); without SMTP configured nothing is sent and the notifications
stay in the app, marked e-mailed only once the server accepted them.
"""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy.orm import Session

from encours.casework import notifications
from encours.dunning.channels.smtp import OutgoingMail, send_all
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
