"""Delivering the outbox: every pending action, exactly once as far as this process can tell.

Decisions were committed with their markers before anything is delivered. Delivery then
takes the pending actions (of this run and of any earlier run that crashed), produces their
documents, sends one e-mail per message key, opens tasks, and marks each delivery sent in its
own transaction right after it happens. A crash can only repeat the single delivery that was
in flight when it happened; the SMTP Message-ID, derived from the action ids, lets a mail
server or a reader recognise such a repeat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework.plans import get_plan
from encours.domain.dunning import THANK_YOU, Channel, Scenario, parse_instalment_step
from encours.domain.penalties import FRANCE, RULES, HalfYear, Penalty, RateTable, late_payment_penalty
from encours.dunning.channels.pdf import write_pdf
from encours.dunning.channels.smtp import OutgoingMail, SmtpConfig, permanent, send_all
from encours.dunning.channels.tasks import open_task
from encours.dunning.documents import (
    InvoiceLine,
    Section,
    load_company,
    penalty_totals,
    render_email,
    render_letter,
    template_env,
)
from encours.dunning.repository import DunningRepository, InvoiceFacts
from encours.ledger.models import CustomerRow
from encours.settings import data_dir
from encours.storage.base import utcnow
from encours.storage.database import unit_of_work

FAULT_ENV = "ENCOURS_FAULT_AFTER_SENDS"  # testing: exit hard after N deliveries
Progress = Callable[[int, int], None]  # (messages handled, messages to handle)


OUTBOX_LOCK_KEY = 4_410_441_005  # PostgreSQL advisory lock of the dunning outbox


@contextlib.contextmanager
def outbox_lock(engine: Engine) -> Iterator[None]:
    """One deliverer at a time; the lock dies with its process, so a crash never leaves it held.

    PostgreSQL: a session advisory lock. SQLite: an exclusive ``flock`` on a file beside the
    database. A second run waits, then finds only what the first one left pending.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": OUTBOX_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": OUTBOX_LOCK_KEY})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.outbox-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class PendingAction(NamedTuple):
    action_id: int
    run_id: int
    as_of: dt.date
    customer_pk: int
    customer_id: str
    scenario: str
    step: str
    channel: str
    template: str
    language: str
    invoice_ids: tuple[str, ...]
    entry_keys: tuple[str, ...]
    message_key: str | None


class DeliveryReport(NamedTuple):
    messages: int = 0  # e-mails accepted by the SMTP server
    files: int = 0  # e-mails written as .eml (no SMTP configured)
    letters: int = 0  # PDF letters produced
    tasks: int = 0
    failed: int = 0  # actions that cannot be delivered (e.g. no e-mail address)
    retry: int = 0  # actions left pending after a transient error


class Prepared(NamedTuple):
    mail: OutgoingMail | None
    actions: tuple[PendingAction, ...]
    documents: dict[int, str]
    no_address: bool


class FaultInjector:
    """Exit the process abruptly after N deliveries, to prove crash recovery in tests."""

    def __init__(self) -> None:
        raw = os.environ.get(FAULT_ENV, "").strip()
        self.remaining = int(raw) if raw.isdigit() else None

    def delivered(self) -> None:
        if self.remaining is None:
            return
        self.remaining -= 1
        if self.remaining <= 0:
            os._exit(86)


def load_pending(session: Session) -> list[PendingAction]:
    return [
        PendingAction(
            row.id,
            row.run_id,
            row.as_of,
            row.customer_pk,
            row.customer_id,
            row.scenario,
            row.step,
            row.channel,
            row.template,
            row.language,
            tuple(row.invoice_ids),
            tuple(row.entry_keys),
            row.message_key,
        )
        for row in DunningRepository(session).pending()
    ]


def _audit(session: Session, actor: str, action: PendingAction, status: str, **extra: Any) -> None:
    record(
        session, actor, f"dunning.{status}", customer_id=action.customer_id,
        subject=f"action:{action.action_id}",
        details={"step": action.step, "channel": action.channel, "invoice_ids": list(action.invoice_ids),
                 "as_of": action.as_of.isoformat(), **extra},
    )  # fmt: skip


def message_id(actions: Sequence[PendingAction], sender: str) -> str:
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "encours.local"
    ids = "-".join(str(a.action_id) for a in actions[:1])
    return f"<dunning-{ids}-r{actions[0].run_id}@{domain}>"


class Composer:
    """Turns a group of pending actions into documents and one e-mail."""

    def __init__(
        self, session: Session, scenarios: dict[str, Scenario], rates: RateTable, sender: str
    ) -> None:
        self.session = session
        self.repo = DunningRepository(session)
        self.scenarios = scenarios
        self.rates = rates
        self.sender = sender
        self.company = load_company()

    def lines(self, action: PendingAction, with_penalties: bool) -> list[InvoiceLine]:
        facts = self.repo.invoices_with_reductions(action.entry_keys, action.as_of)
        penalty = self.penalty_fn(action.customer_pk) if with_penalties else None
        return [self.line(f, action.as_of, penalty, thanks=action.step == THANK_YOU) for f in facts]

    def penalty_fn(self, customer_pk: int) -> Callable[[InvoiceFacts, dt.date], Penalty]:
        terms = self.repo.penalty_terms(customer_pk)
        rule = RULES.get(terms.rule, FRANCE) if terms is not None else FRANCE
        rate = Decimal(terms.contract_rate) if terms is not None and terms.contract_rate else None

        def compute(facts: InvoiceFacts, as_of: dt.date) -> Penalty:
            return late_payment_penalty(
                facts.amount,
                facts.due_date,
                as_of,
                facts.reductions,
                rule=rule,
                table=self.rates,
                contract_rate=rate,
            )

        return compute

    @staticmethod
    def line(
        facts: InvoiceFacts,
        as_of: dt.date,
        penalty: Callable[[InvoiceFacts, dt.date], Penalty] | None,
        thanks: bool,
    ) -> InvoiceLine:
        return InvoiceLine(
            facts.reference, facts.issue_date, facts.due_date, facts.amount,
            facts.amount if thanks else facts.open_amount(), facts.currency,
            (as_of - facts.due_date).days, None if penalty is None else penalty(facts, as_of),
        )  # fmt: skip

    def instalment(self, action: PendingAction) -> dict[str, Any] | None:
        """The instalment an instalment reminder is about, as casework stores it."""
        found = parse_instalment_step(action.step)
        if found is None:
            return None
        plan = get_plan(self.session, found[0])
        state = next((i for i in plan.instalments if i.seq == found[1]), None)
        if state is None:
            return None
        return {"seq": state.seq, "count": len(plan.instalments), "due_date": state.due_date,
                "amount": state.amount, "remaining": state.remaining, "currency": plan.currency}  # fmt: skip

    def offset(self, action: PendingAction) -> int:
        scenario = self.scenarios.get(action.scenario)
        step = scenario.step(action.step) if scenario is not None else None
        return -10_000 if step is None else step.offset_days

    def customer(self, action: PendingAction) -> CustomerRow:
        row = self.session.get(CustomerRow, action.customer_pk)
        assert row is not None
        return row

    def letter(
        self,
        action: PendingAction,
        template: str,
        lines: list[InvoiceLine],
        customer: CustomerRow,
        folder: Path,
    ) -> Path:
        waived = False
        contract_rate = None
        if template == "formal_notice":
            terms = self.repo.penalty_terms(action.customer_pk)
            waived = bool(terms and terms.waived)
            contract_rate = Decimal(terms.contract_rate) if terms and terms.contract_rate else None
        principal = sum((ln.open_amount for ln in lines), Decimal(0))
        interest, indemnity = (
            penalty_totals(lines) if template == "formal_notice" and not waived else (Decimal(0),) * 2
        )
        errors = sorted({str(e) for ln in lines if ln.penalty for e in ln.penalty.errors})
        provisional = any("*" in r for ln in lines for r in rates_of(ln, action.language, self.rates))
        context = {
            "company": self.company, "customer": customer, "as_of": action.as_of, "language": action.language,
            "place": self.company.city, "invoices": lines, "currency": lines[0].currency if lines else "EUR",
            "principal": principal, "interest": interest, "indemnity": indemnity,
            "grand_total": principal + interest + indemnity, "waived": waived, "contract_rate": contract_rate,
            "errors": errors, "rates_of": lambda line: rates_of(line, action.language, self.rates),
            "provisional": provisional,
        }  # fmt: skip
        html = render_letter(template, action.language, context)
        return write_pdf(html, folder / f"{action.action_id}-{template}.pdf")

    def prepare(self, actions: Sequence[PendingAction]) -> Prepared:
        ordered = sorted(actions, key=lambda a: (self.offset(a), a.action_id))
        customer = self.customer(ordered[0])
        language = ordered[0].language
        folder = data_dir() / "letters" / _safe(customer.customer_id)
        sections: list[Section] = []
        documents: dict[int, str] = {}
        attachments: list[Path] = []
        for action in ordered:
            letter = action.channel == Channel.LETTER.value
            lines = self.lines(action, with_penalties=letter and action.template == "formal_notice")
            instalment = self.instalment(action)
            sections.append(
                Section(action.step, "", action.template, action.channel, tuple(lines), instalment)
            )
            if letter:
                path = self.letter(action, action.template, lines, customer, folder)
                documents[action.action_id] = str(path)
                attachments.append(path)
        all_lines = [line for s in sections if s.step != THANK_YOU for line in s.invoices]
        for action in ordered:
            scenario = self.scenarios.get(action.scenario)
            step = scenario.step(action.step) if scenario is not None else None
            for extra in step.attachments if step is not None else ():
                path = self.letter(action, extra, all_lines, customer, folder)
                documents.setdefault(action.action_id, str(path))
                attachments.append(path)
        recipients = recipient_addresses(customer.email)
        if not recipients:
            return Prepared(None, tuple(ordered), documents, True)
        lead = ordered[-1]
        template = lead.template if _has_email_template(lead.template, language) else "generic"
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in all_lines:
            totals[line.currency] += line.open_amount
        context = {
            "company": self.company, "customer": customer, "as_of": lead.as_of, "language": language,
            "sections": sections, "totals": dict(sorted(totals.items())),
            "attachments": [p.name for p in attachments],
        }  # fmt: skip
        rendered = render_email(template, language, context)
        message = EmailMessage()
        message["From"] = formataddr((self.company.name, self.sender))
        message["To"] = ", ".join(formataddr((customer.name, address)) for address in recipients)
        message["Subject"] = rendered.subject
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = message_id(ordered, self.sender)
        message["X-Encours-Actions"] = ",".join(
            str(a.action_id) for a in sorted(ordered, key=lambda a: a.action_id)
        )
        message["X-Encours-Customer"] = customer.customer_id
        message.set_content(rendered.body)
        for path in attachments:
            message.add_attachment(
                path.read_bytes(), maintype="application", subtype="pdf", filename=path.name
            )
        return Prepared(
            OutgoingMail(lead.message_key or f"a{lead.action_id}", message), tuple(ordered), documents, False
        )


def rates_of(line: InvoiceLine, language: str, table: RateTable) -> list[str]:
    """The annual rates applied to an invoice, in order; ``*`` marks a provisional rate."""
    if line.penalty is None:
        return []
    seen: list[str] = []
    for period in line.penalty.periods:
        text = f"{period.rate.quantize(Decimal('0.01'))} %"
        if language == "fr":
            text = text.replace(".", ",")
        reference = table.get(HalfYear.of(period.start))
        if reference is not None and reference.provisional:
            text += "*"
        if text not in seen:
            seen.append(text)
    return seen


def recipient_addresses(field: str | None) -> list[str]:
    """The addresses of a customer's e-mail field ("a@x.fr", "a@x.fr; b@x.fr", "Name <a@x.fr>")."""
    if not field:
        return []
    return [address for _, address in getaddresses([field.replace(";", ",")]) if "@" in address]


def _has_email_template(name: str, language: str) -> bool:
    env = template_env(language)
    assert env.loader is not None
    return f"{language}/email/{name}.txt" in env.loader.list_templates()


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "_"


class Outbox:
    """Delivers pending actions through the channels, marking each delivery as it happens."""

    def __init__(
        self, engine: Engine, scenarios: dict[str, Scenario], rates: RateTable, smtp: SmtpConfig | None,
        actor: str = "cli", progress: Progress | None = None,
    ) -> None:  # fmt: skip
        self.engine = engine
        self.scenarios = scenarios
        self.rates = rates
        self.smtp = smtp
        self.actor = actor
        self.fault = FaultInjector()
        self.counts: dict[str, int] = defaultdict(int)
        self.progress = progress
        self.done = 0
        self.total = 0

    def tick(self) -> None:
        """One message (or one customer's batch of documents and tasks) handled."""
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def deliver(self) -> DeliveryReport:
        with outbox_lock(self.engine):
            return self._deliver()

    def _deliver(self) -> DeliveryReport:
        with unit_of_work(self.engine) as session:
            pending = load_pending(session)
        groups: dict[str, list[PendingAction]] = defaultdict(list)
        for action in pending:
            groups[action.message_key or f"a{action.action_id}"].append(action)
        ordered = sorted(groups.values(), key=lambda g: min(a.action_id for a in g))
        self.total = len(ordered)
        if self.smtp is None:
            for prepared in self.prepared(ordered):
                if prepared.mail is not None:
                    self.write_eml(prepared)
        else:
            by_key: dict[str, Prepared] = {}

            def mails() -> Iterator[OutgoingMail]:
                for prepared in self.prepared(ordered):
                    if prepared.mail is not None:
                        by_key[prepared.mail.key] = prepared
                        yield prepared.mail

            def on_result(mail: OutgoingMail, error: Exception | None) -> None:
                self.sent(by_key.pop(mail.key), error)

            send_all(self.smtp, mails(), on_result)
        return DeliveryReport(
            self.counts["messages"], self.counts["files"], self.counts["letters"], self.counts["tasks"],
            self.counts["failed"], self.counts["retry"],
        )  # fmt: skip

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

    def prepared(self, groups: Sequence[Sequence[PendingAction]]) -> Iterator[Prepared]:
        sender = (
            self.smtp.sender if self.smtp else os.environ.get("ENCOURS_MAIL_FROM", "") or load_company().email
        )
        for group in groups:
            with unit_of_work(self.engine) as session:
                prepared = Composer(session, self.scenarios, self.rates, sender).prepare(group)
                if prepared.no_address:
                    self.no_address(session, prepared)
            if prepared.no_address:
                self.tick()
                self.fault.delivered()
            else:
                yield prepared

    def no_address(self, session: Session, prepared: Prepared) -> None:
        """Tasks are opened and letters produced for printing; e-mail actions fail (nowhere to send)."""
        repo = DunningRepository(session)
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
            repo = DunningRepository(session)
            if error is None:
                documents = {**prepared.documents, **self.open_tasks(session, prepared.actions)}
                repo.mark(ids, "sent", document=documents)
                for action in prepared.actions:
                    _audit(
                        session, self.actor, action, "sent", message_id=mid,
                        document=documents.get(action.action_id),
                    )  # fmt: skip
                self.counts["messages"] += 1
                self.counts["letters"] += sum(
                    1 for a in prepared.actions if a.channel == Channel.LETTER.value
                )
            elif permanent(error):
                repo.mark(ids, "failed", error=str(error)[:1000], document=prepared.documents)
                for action in prepared.actions:
                    _audit(session, self.actor, action, "failed", error=str(error)[:200])
                self.counts["failed"] += len(ids)
            else:
                repo.record_attempt(ids, str(error)[:1000])
                self.counts["retry"] += len(ids)
        self.tick()
        if error is None:
            self.fault.delivered()

    def write_eml(self, prepared: Prepared) -> None:
        """No SMTP configured: the message is written under the data directory, to send by hand."""
        assert prepared.mail is not None
        folder = data_dir() / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_safe(prepared.mail.key)}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(prepared.mail.message.as_bytes())
        os.replace(partial, path)
        with unit_of_work(self.engine) as session:
            documents = {**prepared.documents, **self.open_tasks(session, prepared.actions)}
            for action in prepared.actions:
                documents.setdefault(action.action_id, str(path))
            DunningRepository(session).mark(
                [a.action_id for a in prepared.actions], "produced", document=documents
            )
            for action in prepared.actions:
                _audit(session, self.actor, action, "produced", document=documents[action.action_id])
        self.counts["files"] += 1
        self.counts["letters"] += sum(1 for a in prepared.actions if a.channel == Channel.LETTER.value)
        self.tick()
        self.fault.delivered()
