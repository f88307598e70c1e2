"""Weekly digest: KPIs at the date, movements of the 7 days before, broken promises.

Sent through the server of ``encours.settings.smtp`` (ENCOURS_SMTP_URL, ENCOURS_MAIL_FROM) by
dunning's SMTP channel.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.analytics.kpi import kpis
from encours.analytics.runner import AlchemyRunner
from encours.domain.errors import EncoursError
from encours.domain.money import format_amount
from encours.dunning.channels.smtp import OutgoingMail, send_all
from encours.ledger import queries as ledger_queries
from encours.settings.smtp import SmtpConfig
from encours.users.service import UserService
from encours.web import integrations


class DigestError(EncoursError):
    """The digest cannot be sent: SMTP not configured or not reachable (the CLI exits 2)."""


class Digest(NamedTuple):
    as_of: dt.date
    subject: str
    text: str


def recipients(session: Session) -> list[str]:
    return UserService(session).digest_recipients()


def build_digest(session: Session, as_of: dt.date) -> Digest:
    start = as_of - dt.timedelta(days=6)
    lines = [
        f"Encours — weekly digest / synthèse hebdomadaire, {start.isoformat()} … {as_of.isoformat()}",
        "",
    ]
    lines.append("KPIs")
    for result in kpis(AlchemyRunner(session), as_of):
        payload = result.to_json()
        lines.append(f"  [{result.currency}]")
        for key, value in payload.items():
            if key not in ("as_of", "currency"):
                lines.append(f"    {key}: {'-' if value is None else value}")
    lines += ["", "Movements / mouvements"]
    movements = ledger_queries.movements(session, start, as_of)
    for kind, currency, count, amount in movements:
        lines.append(f"  {kind}: {count} ({format_amount(abs(amount))} {currency})")
    if not movements:
        lines.append("  none / aucun")
    lines += ["", "Broken promises / promesses non tenues"]
    broken = integrations.broken_promises(session, as_of)
    lines += [f"  {line}" for line in broken] or ["  none / aucune"]
    return Digest(as_of, f"Encours digest {as_of.isoformat()}", "\n".join(lines) + "\n")


def digest_message(digest: Digest, to: list[str], sender: str, message_id: str | None = None) -> EmailMessage:
    """The e-mail; a fixed ``message_id`` (the digest job's) makes a repeat after a crash recognisable."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = digest.subject
    if message_id is not None:
        message["Message-ID"] = message_id
    message.set_content(digest.text)
    return message


def send_digest(digest: Digest, to: list[str], smtp: SmtpConfig, message_id: str | None = None) -> None:
    """Sent by dunning's SMTP channel, so both speak to the server the same way."""
    message = digest_message(digest, to, smtp.sender, message_id)
    failures: list[Exception] = []

    def on_result(_: OutgoingMail, error: Exception | None) -> None:
        if error is not None:
            failures.append(error)

    send_all(smtp, [OutgoingMail("digest", message)], on_result)
    if failures:
        raise DigestError(f"sending the digest failed: {failures[0]}")
