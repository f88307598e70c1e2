"""Recording each delivery right after it happens: statuses, tasks and audit, one commit each.

A crash can then only repeat the single delivery that was in flight when it happened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.domain.dunning import Channel
from encours.dunning.actions import ActionRepository
from encours.dunning.channels.smtp import permanent
from encours.dunning.channels.tasks import open_task
from encours.dunning.composer import Prepared
from encours.dunning.pending import PendingAction
from encours.storage.database import unit_of_work


class DeliveryReport(NamedTuple):
    messages: int = 0  # e-mails accepted by the SMTP server
    files: int = 0  # e-mails written as .eml (no SMTP configured)
    letters: int = 0  # PDF letters produced
    tasks: int = 0
    failed: int = 0  # actions that cannot be delivered (e.g. no e-mail address)
    retry: int = 0  # actions left pending after a transient error


def _audit(session: Session, actor: str, action: PendingAction, status: str, **extra: Any) -> None:
    record(
        session, actor, f"dunning.{status}", customer_id=action.customer_id,
        subject=f"action:{action.action_id}",
        details={"step": action.step, "channel": action.channel, "invoice_ids": list(action.invoice_ids),
                 "as_of": action.as_of.isoformat(), **extra},
    )  # fmt: skip


def _letters(actions: Sequence[PendingAction]) -> int:
    return sum(1 for a in actions if a.channel == Channel.LETTER.value)


class Deliveries:
    """Marks what happened to each prepared message and counts it for the report."""

    def __init__(self, engine: Engine, actor: str) -> None:
        self.engine = engine
        self.actor = actor
        self.counts: dict[str, int] = defaultdict(int)

    def report(self) -> DeliveryReport:
        c = self.counts
        return DeliveryReport(c["messages"], c["files"], c["letters"], c["tasks"], c["failed"], c["retry"])

    def open_tasks(self, session: Session, actions: Sequence[PendingAction]) -> dict[int, str]:
        """Phone calls and hand-overs of a delivered message become worklist tasks (idempotent)."""
        documents = {}
        for action in actions:
            if action.channel in (Channel.PHONE.value, Channel.HANDOVER.value):
                task_id = open_task(
                    session, action.action_id, action.customer_id, action.channel, action.invoice_ids,
                    action.entry_keys, action.as_of, self.actor,
                )  # fmt: skip
                documents[action.action_id] = f"task:{task_id}"
                self.counts["tasks"] += 1
        return documents

    def undeliverable(self, session: Session, failures: Sequence[tuple[PendingAction, str]]) -> None:
        """Actions no channel can deliver (a letter without postal address) fail with their reason."""
        repo = ActionRepository(session)
        for action, reason in failures:
            repo.mark([action.action_id], "failed", error=reason, document={})
            _audit(session, self.actor, action, "failed", error=reason)
            self.counts["failed"] += 1

    def no_address(self, session: Session, prepared: Prepared) -> None:
        """Tasks are opened and letters produced for printing; e-mail actions fail (nowhere to send)."""
        repo = ActionRepository(session)
        tasks = self.open_tasks(session, prepared.actions)
        for action in prepared.actions:
            if action.action_id in tasks:
                repo.mark([action.action_id], "sent", document=tasks)
                _audit(session, self.actor, action, "sent", document=tasks[action.action_id])
            elif action.action_id in prepared.documents and action.channel == Channel.LETTER.value:
                repo.mark([action.action_id], "produced", document=prepared.documents)
                _audit(session, self.actor, action, "produced", document=prepared.documents[action.action_id])
                self.counts["letters"] += 1
            else:
                repo.mark(
                    [action.action_id], "failed", error="no e-mail address", document=prepared.documents
                )
                _audit(session, self.actor, action, "failed", error="no e-mail address")
                self.counts["failed"] += 1

    def sent(self, prepared: Prepared, error: Exception | None) -> None:
        """Right after the SMTP answer: tasks, statuses and audit of the whole message, in one commit."""
        assert prepared.mail is not None
        ids = [a.action_id for a in prepared.actions]
        mid = str(prepared.mail.message["Message-ID"])
        with unit_of_work(self.engine) as session:
            repo = ActionRepository(session)
            if error is None:
                documents = {**prepared.documents, **self.open_tasks(session, prepared.actions)}
                repo.mark(ids, "sent", document=documents)
                for action in prepared.actions:
                    _audit(
                        session, self.actor, action, "sent", message_id=mid,
                        document=documents.get(action.action_id),
                    )  # fmt: skip
                self.counts["messages"] += 1
                self.counts["letters"] += _letters(prepared.actions)
            elif permanent(error):
                repo.mark(ids, "failed", error=str(error)[:1000], document=prepared.documents)
                for action in prepared.actions:
                    _audit(session, self.actor, action, "failed", error=str(error)[:200])
                self.counts["failed"] += len(ids)
            else:
                repo.record_attempt(ids, str(error)[:1000])
                self.counts["retry"] += len(ids)

    def written(self, prepared: Prepared, path: Path) -> None:
        """The message was written as ``path`` to send by hand: its actions are produced."""
        with unit_of_work(self.engine) as session:
            documents = {**prepared.documents, **self.open_tasks(session, prepared.actions)}
            for action in prepared.actions:
                documents.setdefault(action.action_id, str(path))
            ActionRepository(session).mark(
                [a.action_id for a in prepared.actions], "produced", document=documents
            )
            for action in prepared.actions:
                _audit(session, self.actor, action, "produced", document=documents[action.action_id])
        self.counts["files"] += 1
        self.counts["letters"] += _letters(prepared.actions)
