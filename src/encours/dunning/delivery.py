"""Recording each delivery right after it happens: statuses, tasks and audit, one commit each.

A crash can then only repeat the single delivery that was in flight when it happened.

A delivery that fails says why, and nobody can miss it: the report lists each customer and
reason. An action that cannot be delivered (no address, a refusal by the SMTP server, a
template that does not render) is ``failed`` and its (entry, step) markers are released, so the
next run decides its invoices again at whatever step is then due (nothing was delivered, so
nothing is sent twice). Connection trouble leaves the action ``pending``: the next run retries
the very same message (same Message-ID). Attempts are counted across those retries; at the
third failure the action becomes a task for the customer's collector and is no longer retried.
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
from encours.dunning.actions import MAX_DELIVERY_ATTEMPTS, ActionRepository
from encours.dunning.channels.smtp import describe, permanent
from encours.dunning.channels.tasks import open_delivery_task, open_task
from encours.dunning.composer import Prepared
from encours.dunning.pending import PendingAction
from encours.settings.smtp import SmtpConfig
from encours.storage.database import unit_of_work

NO_EMAIL = "no e-mail address"


class DeliveryProblem(NamedTuple):
    """Actions of one customer that were not delivered, and why."""

    customer_id: str
    status: str  # failed | pending
    reason: str
    attempts: int
    steps: tuple[str, ...]
    action_ids: tuple[int, ...]
    task_id: int | None = None  # the collector's task, after the last attempt

    @property
    def outcome(self) -> str:
        if self.task_id is not None:
            task = f"task {self.task_id} opened for the collector"
            return f"attempt {self.attempts}/{MAX_DELIVERY_ATTEMPTS}: {task}"
        again = "decided again" if self.status == "failed" else "retried"
        return f"attempt {self.attempts}/{MAX_DELIVERY_ATTEMPTS}: {again} by the next run"


class DeliveryReport(NamedTuple):
    messages: int = 0  # e-mails accepted by the SMTP server
    files: int = 0  # e-mails written as .eml (no SMTP configured)
    letters: int = 0  # PDF letters produced
    tasks: int = 0
    failed: int = 0  # actions that cannot be delivered (e.g. no e-mail address)
    retry: int = 0  # actions left pending after a transient error
    problems: tuple[DeliveryProblem, ...] = ()  # every action not delivered, by customer

    @property
    def complete(self) -> bool:
        """Every due action was delivered or produced (``dunning run`` exits 0, else 3)."""
        return not self.problems


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

    def __init__(self, engine: Engine, actor: str, smtp: SmtpConfig | None = None) -> None:
        self.engine = engine
        self.actor = actor
        self.smtp = smtp
        self.counts: dict[str, int] = defaultdict(int)
        self.problems: list[DeliveryProblem] = []

    def report(self) -> DeliveryReport:
        c = self.counts
        problems = tuple(sorted(self.problems, key=lambda p: (p.customer_id, p.action_ids)))
        return DeliveryReport(
            c["messages"], c["files"], c["letters"], c["tasks"], c["failed"], c["retry"], problems
        )

    def not_delivered(
        self, session: Session, actions: Sequence[PendingAction], reason: str, *, transient: bool = False,
        documents: dict[int, str] | None = None,
    ) -> None:  # fmt: skip
        """``actions`` (one customer's) were not delivered: failed, or pending when ``transient``.

        Failed actions release their markers (decided again by the next run); at the last
        attempt the actions become a task for the collector instead and keep their markers.
        """
        if not actions:
            return
        repo = ActionRepository(session)
        ids = [a.action_id for a in actions]
        rows = [repo.get(i) for i in ids]
        attempts = max(row.attempts + 1 + repo.earlier_failures(row) for row in rows)
        lead = actions[0]
        task_id = None
        if attempts >= MAX_DELIVERY_ATTEMPTS:
            invoices = sorted({i for a in actions for i in a.invoice_ids})
            keys = sorted({k for a in actions for k in a.entry_keys})
            task_id = open_delivery_task(
                session, lead.action_id, lead.customer_id, reason, attempts, invoices, keys,
                max(a.as_of for a in actions), self.actor,
            )  # fmt: skip
            self.counts["tasks"] += 1
        status = "pending" if transient and task_id is None else "failed"
        for row in rows:
            row.status = status
            row.attempts = attempts
            row.error = reason if task_id is None else f"{reason} (task {task_id})"
            if documents and row.id in documents:
                row.document = documents[row.id]
        session.flush()
        if status == "failed" and task_id is None:
            repo.release_marks(ids)
        for action in actions:
            _audit(session, self.actor, action, status, error=reason[:200], attempts=attempts, task=task_id)
        self.counts["retry" if status == "pending" else "failed"] += len(ids)
        self.problems.append(
            DeliveryProblem(
                lead.customer_id,
                status,
                reason,
                attempts,
                tuple(dict.fromkeys(a.step for a in actions)),
                tuple(ids),
                task_id,
            )
        )

    def cannot_compose(self, actions: Sequence[PendingAction], reason: str) -> None:
        """The message could not even be made (e.g. a template that does not render)."""
        with unit_of_work(self.engine) as session:
            self.not_delivered(session, actions, reason)

    def open_tasks(self, session: Session, actions: Sequence[PendingAction]) -> dict[int, str]:
        """Phone calls and hand-overs of a delivered message become collectors' tasks (idempotent)."""
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
        """Actions no channel can deliver (a letter without postal address) fail with their reason,
        retried and turned into a collector's task like every other failure."""
        for action, reason in failures:
            self.not_delivered(session, [action], reason)

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
        failing = [a for a in prepared.actions if a.action_id not in tasks and not (
            a.action_id in prepared.documents and a.channel == Channel.LETTER.value)]  # fmt: skip
        self.not_delivered(session, failing, NO_EMAIL, documents=prepared.documents)

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
            else:
                reason = describe(error, self.smtp)[:1000]
                transient = not permanent(error)
                self.not_delivered(
                    session, prepared.actions, reason, transient=transient, documents=prepared.documents
                )

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
