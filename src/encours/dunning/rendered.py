"""One customer's next message exactly as a run would send it: the e-mail and its letters,
made by the outbox's own ``Composer`` from the decisions of a run at that date, plus what
earlier runs left pending for the customer (they join the message). Nothing is written: the
session is rolled back and the letters are produced in a scratch folder, read, then removed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine

from encours.domain.dunning import PlannedAction
from encours.dunning.actions import ActionRepository
from encours.dunning.composer import Composer
from encours.dunning.documents import load_company
from encours.dunning.pending import PendingAction, load_pending
from encours.dunning.service import DunningConfig, decide
from encours.storage.database import session_factory


class RenderedLetter(NamedTuple):
    name: str  # the attachment's file name, as the customer receives it
    pdf: bytes


class RenderedMessage(NamedTuple):
    customer_id: str
    recipients: str  # the To header; empty when the customer has no e-mail address
    subject: str
    body: str  # the plain-text e-mail
    letters: tuple[RenderedLetter, ...]
    steps: tuple[str, ...]
    undeliverable: tuple[tuple[str, str], ...]  # (step, reason) the run would report as failed


def _planned(action: PlannedAction, action_id: int, as_of: dt.date, language: str) -> PendingAction:
    """A decided action as the outbox would load it (never stored)."""
    return PendingAction(
        action_id, 0, as_of, action.customer_pk, action.customer_id, action.scenario, action.step.key,
        action.step.channel.value, action.step.template, language,
        tuple(c.reference for c in action.invoices), tuple(c.entry_key for c in action.invoices), "preview",
    )  # fmt: skip


def render_customer(
    engine: Engine, config: DunningConfig, as_of: dt.date, customer_id: str
) -> RenderedMessage:
    """What a run at ``as_of`` would send ``customer_id`` (no action due: no steps, empty body)."""
    session = session_factory(engine)()
    try:
        decisions = decide(session, config, as_of)
        # the ids the run would give them (letters are named after them), in decision order
        first = ActionRepository(session).last_action_id() + 1
        group = [p for p in load_pending(session) if p.customer_id == customer_id]
        group += [
            _planned(a, first + n, as_of, decisions.languages[a.customer_pk])
            for n, a in enumerate(decisions.actions)
            if a.customer_id == customer_id
        ]
        if not group:
            return RenderedMessage(customer_id, "", "", "", (), (), ())
        data_dir = config.settings.data_dir
        sender = config.settings.mail_from or load_company(data_dir).email
        with tempfile.TemporaryDirectory(prefix="encours-preview-") as scratch:
            composer = Composer(session, config.scenarios, config.rates, sender, data_dir, Path(scratch))
            prepared = composer.prepare(group)
            letters = tuple(
                RenderedLetter(path.name, path.read_bytes())
                for path in sorted(Path(scratch).rglob("*.pdf"), key=lambda p: p.name)
            )
        failing = tuple((a.step, reason) for a, reason in prepared.undeliverable)
        steps = tuple(dict.fromkeys(a.step for a in group))
        if prepared.mail is None:
            return RenderedMessage(customer_id, "", "", "", letters, steps, failing)
        message = prepared.mail.message
        part = message.get_body(("plain",))
        body = part.get_content() if part is not None else ""
        return RenderedMessage(
            customer_id,
            str(message["To"] or ""),
            str(message["Subject"] or ""),
            str(body),
            letters,
            steps,
            failing,
        )
    finally:
        session.rollback()
        session.close()
