"""Delivering the outbox: every pending action, exactly once as far as this process can tell.

Decisions were committed with their markers before anything is delivered. Delivery then
takes the pending actions (of this run and of any earlier run that crashed; of one shard of
customers when a run is split across workers), produces their documents (``composer``), sends
one e-mail per message key, opens tasks, and marks each delivery sent in its own transaction
right after it happens (``delivery``). A deliverer has one message in flight at a time (one
SMTP connection; a run goes faster split in shards on several workers, ``run_lock``), so a
crash can only repeat the single delivery that was in flight when it happened; the SMTP
Message-ID, derived from the action ids, lets a mail server or a reader recognise such a repeat.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from jinja2 import TemplateError
from sqlalchemy import Engine

from encours.domain.dunning import Scenario
from encours.domain.penalties import RateTable
from encours.dunning.channels.smtp import OutgoingMail, send_all
from encours.dunning.composer import Composer, Prepared
from encours.dunning.delivery import Deliveries, DeliveryProblem, DeliveryReport
from encours.dunning.document_paths import mail_file, sent_mail_file
from encours.dunning.documents import load_company
from encours.dunning.fault import FaultInjector
from encours.dunning.pending import PendingAction, load_pending
from encours.dunning.run_lock import WHOLE, Shard, outbox_lock
from encours.settings import Settings
from encours.settings.smtp import SmtpConfig
from encours.storage.database import unit_of_work

__all__ = ["DeliveryProblem", "DeliveryReport", "Outbox", "Progress", "Shard"]

Progress = Callable[[int, int], None]  # (messages handled, messages to handle)


class Outbox:
    """Delivers pending actions through the channels, marking each delivery as it happens."""

    def __init__(
        self, engine: Engine, scenarios: dict[str, Scenario], rates: RateTable, smtp: SmtpConfig | None,
        settings: Settings, actor: str = "cli", progress: Progress | None = None, shard: Shard = WHOLE,
    ) -> None:  # fmt: skip
        self.engine = engine
        self.scenarios = scenarios
        self.rates = rates
        # one message in flight: a crash repeats at most that one; the rate is shared by the shards
        self.smtp = smtp and smtp._replace(concurrency=1, rate_per_second=smtp.rate_per_second / shard.parts)
        self.shard = shard
        self.data_dir = settings.data_dir
        self.sender = smtp.sender if smtp else settings.mail_from or load_company(settings.data_dir).email
        self.deliveries = Deliveries(engine, actor, smtp)
        self.fault = FaultInjector(settings.fault_after_sends)
        self.progress = progress
        self.done = 0
        self.total = 0

    def tick(self) -> None:
        """One message (or one customer's batch of documents and tasks) handled."""
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def deliver(self) -> DeliveryReport:
        with outbox_lock(self.engine, self.shard):
            self._deliver()
        return self.deliveries.report()

    def _deliver(self) -> None:
        with unit_of_work(self.engine) as session:
            pending = [a for a in load_pending(session) if self.shard.holds(a.customer_pk)]
        groups: dict[str, list[PendingAction]] = defaultdict(list)
        for action in pending:
            groups[action.group_key].append(action)
        ordered = sorted(groups.values(), key=lambda g: min(a.action_id for a in g))
        self.total = len(ordered)
        if self.smtp is None:
            for prepared in self.prepared(ordered):
                self.write_eml(prepared)
            return
        by_key: dict[str, Prepared] = {}

        def mails() -> Iterator[OutgoingMail]:
            for prepared in self.prepared(ordered):
                assert prepared.mail is not None
                by_key[prepared.mail.key] = prepared
                yield prepared.mail

        def on_result(mail: OutgoingMail, error: Exception | None) -> None:
            if error is None:
                keep(sent_mail_file(self.data_dir, mail.key), mail.message.as_bytes())
            self.deliveries.sent(by_key.pop(mail.key), error)
            self.tick()
            if error is None:
                self.fault.delivered()

        send_all(self.smtp, mails(), on_result)

    def prepared(self, groups: Sequence[Sequence[PendingAction]]) -> Iterator[Prepared]:
        """Each group composed in its own transaction; those with nowhere to send are settled here."""
        for group in groups:
            try:
                with unit_of_work(self.engine) as session:
                    composer = Composer(session, self.scenarios, self.rates, self.sender, self.data_dir)
                    prepared = composer.prepare(group)
                    if prepared.undeliverable:
                        self.deliveries.undeliverable(session, prepared.undeliverable)
                    if prepared.no_address:
                        self.deliveries.no_address(session, prepared)
            except TemplateError as exc:  # checked before the run; a branch the sample missed lands here
                self.deliveries.cannot_compose(group, f"template error: {exc}"[:1000])
                self.tick()
                continue
            if prepared.mail is None:
                self.tick()
                self.fault.delivered()
            else:
                yield prepared

    def write_eml(self, prepared: Prepared) -> None:
        """No SMTP configured: the message is written under the data directory, to send by hand."""
        assert prepared.mail is not None
        path = mail_file(self.data_dir, prepared.mail.key)
        keep(path, prepared.mail.message.as_bytes())
        self.deliveries.written(prepared, path)
        self.tick()
        self.fault.delivered()


def keep(path: Path, data: bytes) -> None:
    """Write a message file whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, path)
