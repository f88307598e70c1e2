"""Weekly digest: KPIs at the date, movements of the 7 days before, broken promises.

Sent through ENCOURS_SMTP_URL (smtp://[user:password@]host:port[?starttls=1]) from
ENCOURS_MAIL_FROM, with aiosmtplib.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from email.message import EmailMessage
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from sqlalchemy.orm import Session

from encours.analytics.kpi import kpis
from encours.analytics.runner import AlchemyRunner
from encours.domain.errors import EncoursError
from encours.domain.money import format_amount
from encours.ledger import queries as ledger_queries
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


class SmtpSettings(NamedTuple):
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str


def smtp_settings() -> SmtpSettings:
    url = os.environ.get("ENCOURS_SMTP_URL")
    if not url:
        raise DigestError("ENCOURS_SMTP_URL is not set (smtp://host:port)")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise DigestError(f"ENCOURS_SMTP_URL: expected smtp://host:port, got {url!r}")
    flags = parse_qs(parts.query)
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or 25,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=flags.get("starttls", ["0"])[0] in ("1", "true"),
        sender=os.environ.get("ENCOURS_MAIL_FROM", "encours@localhost"),
    )


def send_digest(digest: Digest, to: list[str]) -> None:
    settings = smtp_settings()
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = digest.subject
    message.set_content(digest.text)
    try:
        asyncio.run(
            aiosmtplib.send(
                message,
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password,
                start_tls=settings.starttls,
                timeout=30,
            )
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise DigestError(f"sending the digest failed: {exc}") from exc
