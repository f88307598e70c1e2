"""Dunning runs (SPEC §8): decide set-wise, write the outbox with its markers, then deliver.

``decide`` only reads (plus casework's refresh of promises and plans); ``record_decisions``
writes outbox rows and (entry, step) markers in the caller's transaction; the unit of work
around them commits both or neither. A concurrent run that decided the same steps first makes
the insert fail on the unique marker; the run then decides again from what is committed.
"""

from __future__ import annotations

import datetime as dt
import time
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework.suppression import dunning_suppressions, refresh
from encours.data_files import user_or_shipped
from encours.domain.dunning import (
    PlannedAction,
    Reminders,
    Scenario,
    Suppressions,
    pick_language,
    select_reminders,
    thank_you_actions,
)
from encours.domain.errors import InvalidLines, LedgerError
from encours.domain.escalation import (
    DEFAULT_PAYMENT_DAYS,
    DEFAULT_POSTAL_DAYS,
    HeldHandover,
    NoticePeriod,
    escalate,
)
from encours.domain.money import format_amount, from_cents
from encours.domain.penalties import RateTable
from encours.dunning.actions import ActionRepository
from encours.dunning.candidates import CandidateRepository
from encours.dunning.creditor import check_creditor
from encours.dunning.document_paths import mail_file, sent_mail_file
from encours.dunning.documents import LANGUAGES
from encours.dunning.history import HistoryRepository
from encours.dunning.models import DunningActionRow
from encours.dunning.outbox import DeliveryReport, Outbox, Progress
from encours.dunning.penalty_terms import PenaltyTermsRepository
from encours.dunning.rates import load_rate_table
from encours.dunning.scenarios import load_scenarios
from encours.dunning.template_check import user_template_errors
from encours.gc_paused import gc_paused
from encours.ledger.models import CustomerRow
from encours.settings import Settings
from encours.settings.smtp import SmtpConfig
from encours.storage.database import session_factory, unit_of_work

MAX_ATTEMPTS = 3


class ConfigurationError(InvalidLines):
    """Scenario, rate or template files the user must fix, with every bad line."""

    def __init__(self, errors: Sequence[LedgerError]) -> None:
        super().__init__("dunning configuration is invalid (scenario, rate or template files)", errors)


class DunningConfig(NamedTuple):
    scenarios: dict[str, Scenario]
    rates: RateTable
    settings: Settings  # the data directory (files, templates), the sender
    notice_period: NoticePeriod = NoticePeriod()


def notice_period(data_dir: Path | None) -> NoticePeriod:
    """``payment_days_after_notice`` (default 8) and ``notice_postal_days`` (default 7) of company.toml."""
    found = user_or_shipped("company.toml", data_dir)
    try:
        raw = tomllib.loads(found.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError([LedgerError(found.source, 0, "", f"invalid TOML: {exc}")]) from None
    days = []
    for name, default in (("payment_days_after_notice", DEFAULT_PAYMENT_DAYS),
                          ("notice_postal_days", DEFAULT_POSTAL_DAYS)):  # fmt: skip
        value = raw.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigurationError([LedgerError(found.source, 0, name, f"expected days, got {value!r}")])
        days.append(value)
    return NoticePeriod(days[0], days[1])


def load_config(settings: Settings) -> DunningConfig:
    """Scenarios, rates and the user's templates, all checked before a run decides or sends anything."""
    loaded = load_scenarios(data_dir=settings.data_dir)
    rates = load_rate_table(settings.rates_file, settings.data_dir)
    errors = [*loaded.errors, *rates.errors, *user_template_errors(settings.data_dir)]
    if errors:
        raise ConfigurationError(errors)
    return DunningConfig(loaded.scenarios, rates.table, settings, notice_period(settings.data_dir))


class Decisions(NamedTuple):
    as_of: dt.date
    actions: tuple[PlannedAction, ...]
    reminders: Reminders
    languages: dict[int, str]
    handover_waiting: dict[str, int] | None = None  # reason -> invoices whose hand-over waits
    notices_first: int = 0  # invoices given the formal notice instead of a hand-over
    held: tuple[HeldHandover, ...] = ()  # each invoice whose hand-over waits, with its date


def decide(session: Session, config: DunningConfig, as_of: dt.date) -> Decisions:
    """What a run at ``as_of`` would do, from the committed state (set-wise selection)."""
    refresh(session, as_of)
    repo = CandidateRepository(session)
    ordered = [config.scenarios[name] for name in sorted(config.scenarios)]
    candidates = repo.candidates(ordered, as_of)
    found = dunning_suppressions(session, as_of)
    suppressions = Suppressions(
        found.disputed_entry_keys, found.paused_customer_ids, found.promised_until, found.plan_entry_keys
    )
    # the law before catch-up: no hand-over without a delivered formal notice whose period ran
    histories = HistoryRepository(session, config.scenarios).notices()
    escalated = escalate(candidates, config.scenarios, histories, as_of, config.notice_period)
    with gc_paused():
        reminders = select_reminders(escalated.candidates, config.scenarios, suppressions, as_of)
    settled = [c for c in repo.settled_reminded(as_of) if c.entry_key not in found.disputed_entry_keys]
    thanks = thank_you_actions(settled, found.paused_customer_ids, config.scenarios)
    due = [d for d in found.due_instalments if d.customer_id not in found.paused_customer_ids]
    instalments = repo.instalment_candidates(due)
    actions = sorted(
        [*reminders.actions, *thanks, *instalments],
        key=lambda a: (a.customer_id, a.step.offset_days, a.step.key),
    )
    contacts = repo.customer_contacts(a.customer_pk for a in actions)
    languages = {pk: pick_language(language, LANGUAGES) for pk, (_, _, language) in contacts.items()}
    return Decisions(
        as_of,
        tuple(actions),
        reminders,
        languages,
        dict(escalated.waiting),
        escalated.notices_first,
        escalated.held,
    )


class HandoverWait(NamedTuple):
    """One customer's invoices whose hand-over waits for the same day (None: for a delivered notice)."""

    customer_id: str
    invoice_ids: tuple[str, ...]
    possible_on: dt.date | None
    reason: str


def waiting_handovers(decisions: Decisions) -> list[HandoverWait]:
    """The held hand-overs grouped by customer and the day they become possible, as a run shows them."""
    groups: dict[tuple[str, dt.date | None, str], list[str]] = {}
    for held in decisions.held:
        groups.setdefault((held.customer_id, held.possible_on, held.reason), []).append(held.reference)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or dt.date.max, item[0][2]))
    return [HandoverWait(customer, tuple(refs), on, reason) for (customer, on, reason), refs in ordered]


def decision_rows(decisions: Decisions) -> list[dict[str, Any]]:
    """Each decided action as the CLI's JSON and the dry-run job's result show it."""
    return [
        {
            "customer_id": a.customer_id,
            "scenario": a.scenario,
            "step": a.step.key,
            "channel": a.step.channel.value,
            "invoice_ids": [c.reference for c in a.invoices],
            "amount": format_amount(a.amount),
            "currency": a.currency,
        }
        for a in decisions.actions
    ]


def record_decisions(
    session: Session, decisions: Decisions, actor: str, job_id: int | None = None
) -> tuple[int, list[int]]:
    """Outbox rows + markers + audit events, flushed in the caller's transaction."""
    repo = ActionRepository(session)
    run_id = repo.new_run(decisions.as_of, actor, job_id)
    keys: list[str | None] = [f"r{run_id}:{a.customer_id}" for a in decisions.actions]
    ids = repo.add_actions(
        run_id, decisions.as_of, decisions.actions, decisions.languages, dict(enumerate(keys))
    )
    # what earlier runs left pending for these customers goes in the same e-mail (SPEC §8)
    repo.join_pending(
        run_id, {a.customer_id: key for a, key in zip(decisions.actions, keys, strict=True) if key}
    )
    repo.add_decided_events(actor, decisions.as_of, run_id, decisions.actions, ids)
    record(
        session, actor, "dunning.run", subject=f"run:{run_id}",
        details={"as_of": decisions.as_of.isoformat(), "actions": len(ids),
                 "suppressed": dict(sorted(decisions.reminders.suppressed.items())),
                 "handover_waiting": dict(sorted((decisions.handover_waiting or {}).items())),
                 "notices_before_handover": decisions.notices_first,
                 "below_minimum": decisions.reminders.below_minimum},
    )  # fmt: skip
    return run_id, ids


def preview(engine: Engine, config: DunningConfig, as_of: dt.date) -> Decisions:
    """Decisions without writing anything: the session is rolled back."""
    session = session_factory(engine)()
    try:
        return decide(session, config, as_of)
    finally:
        session.rollback()
        session.close()


class RunResult(NamedTuple):
    run_id: int
    decisions: Decisions
    delivery: DeliveryReport


def run(
    engine: Engine, config: DunningConfig, as_of: dt.date, smtp: SmtpConfig | None, actor: str = "cli",
    progress: Progress | None = None, job_id: int | None = None,
) -> RunResult:  # fmt: skip
    """Decide and commit (retrying if a concurrent run got there first), then deliver the outbox."""
    run_id, decisions = decide_and_record(engine, config, as_of, actor, job_id)
    delivery = Outbox(
        engine, config.scenarios, config.rates, smtp, config.settings, actor, progress
    ).deliver()
    return RunResult(run_id, decisions, delivery)


def decide_and_record(
    engine: Engine, config: DunningConfig, as_of: dt.date, actor: str, job_id: int | None = None
) -> tuple[int, Decisions]:
    """The run's decisions committed with their markers (what is delivered next): its id and them;
    ``job_id``: the job that runs it, so the job's page finds the run's actions."""
    check_creditor(engine, config.settings.data_dir)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with unit_of_work(engine) as session:
                decisions = decide(session, config, as_of)
                run_id, _ = record_decisions(session, decisions, actor, job_id)
            break
        except (IntegrityError, OperationalError):
            # a concurrent run committed markers first (PostgreSQL: unique violation; SQLite: the
            # write lock on a stale snapshot): decide again from what it committed
            if attempt == MAX_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
    return run_id, decisions


def deliver(
    engine: Engine, config: DunningConfig, smtp: SmtpConfig | None, actor: str = "cli",
    progress: Progress | None = None,
) -> DeliveryReport:  # fmt: skip
    """Deliver what earlier runs left pending (e.g. after a crash), deciding nothing new."""
    check_creditor(engine, config.settings.data_dir)
    return Outbox(engine, config.scenarios, config.rates, smtp, config.settings, actor, progress).deliver()


class DunningAction(NamedTuple):
    """An outbox row as screens, the API and the CLI list it."""

    id: int
    as_of: dt.date
    customer_id: str
    step: str
    channel: str
    status: str  # pending | sent | produced | failed
    invoice_ids: tuple[str, ...]
    amount: Decimal
    currency: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    document: str | None
    reason: str | None  # why it was not delivered (failed, or pending after a failed attempt)
    attempts: int
    message_key: str | None = None  # the e-mail it went in (its copy: ``sent_email``)


def _listed(row: DunningActionRow, delivered_by: int | None = None) -> DunningAction:
    reason = row.error if row.status in ("failed", "pending") else None
    if reason is not None and delivered_by is not None:
        reason = f"{reason}; its invoices were delivered since by action {delivered_by}"
    return DunningAction(
        row.id, row.as_of, row.customer_id, row.step, row.channel, row.status, tuple(row.invoice_ids),
        from_cents(row.amount_cents), row.currency, row.created_at, row.sent_at, row.document, reason,
        row.attempts, row.message_key or f"a{row.id}",
    )  # fmt: skip


def list_actions(
    session: Session, customer_id: str | None = None, run_id: int | None = None
) -> list[DunningAction]:
    """Every action ever decided (optionally one customer's, one run's), oldest first."""
    repo = ActionRepository(session)
    rows = repo.actions(customer_id, run_id)
    delivered_by = repo.resolutions([row for row in rows if row.status == "failed"])
    return [_listed(row, delivered_by.get(row.id)) for row in rows]


def sent_email(data_dir: Path, action: DunningAction) -> bytes | None:
    """The e-mail an action went out in, as the server accepted it (or as written to send by hand)."""
    if action.message_key is None or action.status not in ("sent", "produced"):
        return None
    for path in (sent_mail_file(data_dir, action.message_key), mail_file(data_dir, action.message_key)):
        if path.is_file():
            return path.read_bytes()
    return None


def get_action(session: Session, action_id: int) -> DunningAction | None:
    row = session.get(DunningActionRow, action_id)
    return None if row is None else _listed(row)


def run_of_job(session: Session, job_id: int) -> int | None:
    """The dunning run a job decided, once it has."""
    return ActionRepository(session).run_of_job(job_id)


def failed_deliveries(session: Session) -> list[DunningAction]:
    """Failed actions whose invoices no later action has delivered: what the dashboard shows."""
    return [_listed(row) for row in ActionRepository(session).unresolved_failures()]


def set_penalty_terms(
    session: Session, customer_id: str, rule: str, contract_rate: Decimal | None, waived: bool, actor: str
) -> bool:
    """Claim or waive a customer's late-payment penalties; False when the customer is unknown."""
    pk = session.scalar(select(CustomerRow.id).where(CustomerRow.customer_id == customer_id))
    if pk is None:
        return False
    PenaltyTermsRepository(session).set_penalty_terms(pk, rule, contract_rate, waived, actor)
    record(
        session, actor, "penalties.waived" if waived else "penalties.claimed", customer_id=customer_id,
        details={"rule": rule, "contract_rate": None if contract_rate is None else str(contract_rate)},
    )  # fmt: skip
    return True
