"""What dunning produced, as the screens and the API both show it: a customer's next message
rendered by the outbox's own composer (with its letter PDFs), the history of what was sent, the
e-mail an action went out in and the letter it produced (never a file outside the data directory)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import NamedTuple

from fastapi import Request, Response
from sqlalchemy.orm import Session

from encours.domain.errors import NotFound
from encours.dunning import service as dunning
from encours.dunning.rendered import RenderedMessage, render_customer
from encours.web.deps import app_settings

HISTORY = 300  # latest deliveries shown
HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


class SentEmail(NamedTuple):
    headers: dict[str, str]
    body: str  # the plain-text part
    attachments: list[str]  # file names


def pdf(data: bytes, name: str) -> Response:
    """A PDF shown in the browser (inline), under its own name."""
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


def next_message(request: Request, as_of: dt.date, customer_id: str) -> RenderedMessage:
    """The message a run at ``as_of`` would send the customer, exactly as it would go."""
    config = dunning.load_config(app_settings(request))
    return render_customer(request.app.state.engine, config, as_of, customer_id)


def next_letter(request: Request, as_of: dt.date, customer_id: str, name: str) -> bytes:
    """A letter of the next message, produced again as the run would (same composer)."""
    for letter in next_message(request, as_of, customer_id).letters:
        if letter.name == name:
            return letter.pdf
    raise NotFound(f"no letter {name} in the next message to {customer_id}")


def history(session: Session, customer_id: str | None) -> list[dunning.DunningAction]:
    """What was sent or produced, latest first (the latest ``HISTORY``)."""
    rows = [a for a in dunning.list_actions(session, customer_id) if a.status in ("sent", "produced")]
    rows.sort(key=lambda a: a.id, reverse=True)
    return rows[:HISTORY]


def action(session: Session, action_id: int) -> dunning.DunningAction:
    found = dunning.get_action(session, action_id)
    if found is None:
        raise NotFound(f"no dunning action {action_id}")
    return found


def sent_email(data_dir: Path, sent: dunning.DunningAction) -> SentEmail:
    """The e-mail the action went out in, as kept in the data directory."""
    raw = dunning.sent_email(data_dir, sent)
    if raw is None:
        raise NotFound(f"no e-mail kept for action {sent.id}")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    return SentEmail(
        headers={name: str(message[name] or "") for name in HEADERS},
        body=part.get_content() if part is not None else "",
        attachments=[p.get_filename() or "" for p in message.iter_attachments()],
    )


def sent_letter(data_dir: Path, sent: dunning.DunningAction) -> Path:
    """The letter the action produced, from the data directory (never a path outside it)."""
    root = data_dir.resolve()
    path = Path(sent.document or "").resolve()
    if path.suffix != ".pdf" or not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"no letter kept for action {sent.id}")
    return path
