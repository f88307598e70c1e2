"""Escalation that respects the law and the customer's history (SPEC §8), pure.

Each invoice has a history: the steps decided for it, each with its kind, its delivery status
and its date. Only a step whose action was ``sent`` or ``produced`` was *delivered*; a
``pending`` or ``failed`` one did not happen for the customer. Two rules read it:

- hand-over (a step of kind ``handover``) only when a formal notice listing the invoice was
  delivered at least the notice period before the run date (``payment_days_after_notice`` of
  the company plus the postal delay); an invoice past the hand-over offset with no formal
  notice decided yet gets the scenario's formal notice now, and the hand-over waits; one whose
  notice is pending, failed or still running its period waits;
- texts: what a template may claim (``reminded_before``, ``notice_delivered_on``) is read from
  the delivered steps only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from encours.domain.dunning import Candidate, Scenario, Step, StepKind

DELIVERED = frozenset({"sent", "produced"})
REMINDING = frozenset({StepKind.REMINDER, StepKind.FORMAL_NOTICE, StepKind.HANDOVER})
DEFAULT_PAYMENT_DAYS = 8
DEFAULT_POSTAL_DAYS = 7


class Contact(NamedTuple):
    """One step decided for an invoice: what, of which kind, how it went and on which day."""

    step: str
    kind: StepKind
    status: str  # pending | sent | produced | failed
    on: dt.date  # delivered: the business date it was delivered; else the date it was decided

    @property
    def delivered(self) -> bool:
        return self.status in DELIVERED


class InvoiceHistory(NamedTuple):
    """An invoice's contacts, oldest first; templates read it as ``invoice.history``."""

    contacts: tuple[Contact, ...] = ()

    @property
    def delivered(self) -> tuple[Contact, ...]:
        """The steps the customer really received, oldest first."""
        return tuple(c for c in self.contacts if c.delivered)

    @property
    def reminders(self) -> int:
        """How many reminders (reminder, formal notice, hand-over) were delivered."""
        return sum(1 for c in self.delivered if c.kind in REMINDING)

    @property
    def reminded_before(self) -> bool:
        return self.reminders > 0

    @property
    def notice_delivered_on(self) -> dt.date | None:
        """The day the first formal notice listing the invoice was delivered, if one was."""
        days = [c.on for c in self.delivered if c.kind is StepKind.FORMAL_NOTICE]
        return min(days) if days else None

    @property
    def notice_decided(self) -> bool:
        """A formal notice was decided for the invoice, delivered or not (never decide a second)."""
        return any(c.kind is StepKind.FORMAL_NOTICE for c in self.contacts)


NO_HISTORY = InvoiceHistory()


def history_of(contacts: Iterable[Contact]) -> InvoiceHistory:
    return InvoiceHistory(tuple(sorted(contacts, key=lambda c: (c.on, c.step))))


def delivered_on(as_of: dt.date, created: dt.date, sent: dt.date | None) -> dt.date:
    """The business date of a delivery: the run's date, moved on by the days delivery waited.

    A run at ``as_of`` decides its actions (``created``, machine clock) and delivers them
    (``sent``); an action delivered days later by a retry counts from then, never earlier.
    """
    if sent is None:
        return as_of
    return as_of + dt.timedelta(days=max(0, (sent - created).days))


class NoticePeriod(NamedTuple):
    """Days a formal notice gives the debtor to pay, plus the days the registered letter travels."""

    payment_days: int = DEFAULT_PAYMENT_DAYS
    postal_days: int = DEFAULT_POSTAL_DAYS

    @property
    def days(self) -> int:
        return self.payment_days + self.postal_days


def notice_step_before(scenario: Scenario, step: Step) -> Step | None:
    """The scenario's latest formal notice before ``step``."""
    found = None
    for candidate in scenario.steps:
        if candidate.step_kind is StepKind.FORMAL_NOTICE and candidate.offset_days < step.offset_days:
            found = candidate
    return found


class Verdict(NamedTuple):
    step: str | None  # the step to give now (None: wait)
    reason: str | None = None  # why it waits or was changed


def escalation(
    scenario: Scenario, step: Step, history: InvoiceHistory, as_of: dt.date, period: NoticePeriod
) -> Verdict:
    """The step an invoice due for ``step`` is given at ``as_of``, in law."""
    if step.step_kind is not StepKind.HANDOVER:
        return Verdict(step.key)
    notice_on = history.notice_delivered_on
    if notice_on is not None:
        if notice_on <= as_of - dt.timedelta(days=period.days):
            return Verdict(step.key)
        return Verdict(None, "notice_period_running")
    if history.notice_decided:
        return Verdict(None, "notice_not_delivered")
    notice = notice_step_before(scenario, step)
    if notice is None:  # pragma: no cover - scenario_problems refuses such a scenario
        return Verdict(None, "no_formal_notice_step")
    return Verdict(notice.key, "formal_notice_first")


class HeldHandover(NamedTuple):
    """An invoice whose hand-over waits, and the first day it becomes possible (None: no
    delivered formal notice yet, so no date can be promised)."""

    customer_id: str
    reference: str
    reason: str
    possible_on: dt.date | None


class Escalated(NamedTuple):
    candidates: list[Candidate]
    waiting: Mapping[str, int]  # reason -> invoices whose hand-over waits
    notices_first: int  # invoices given the formal notice instead of the hand-over
    held: tuple[HeldHandover, ...] = ()  # each waiting invoice, by customer and reference


def escalate(
    candidates: Iterable[Candidate],
    scenarios: Mapping[str, Scenario],
    histories: Mapping[int, InvoiceHistory],
    as_of: dt.date,
    period: NoticePeriod,
) -> Escalated:
    """Candidates (from the catch-up rule) after the hand-over rule; ``histories`` by entry id."""
    kept: list[Candidate] = []
    waiting: dict[str, int] = {}
    held: list[HeldHandover] = []
    first = 0
    handovers = {
        (s.name, step.key): step for s in scenarios.values() for step in s.steps
        if step.step_kind is StepKind.HANDOVER
    }  # fmt: skip
    for candidate in candidates:
        step = handovers.get((candidate.scenario, candidate.step))
        if step is None:
            kept.append(candidate)
            continue
        history = histories.get(candidate.entry_id, NO_HISTORY)
        verdict = escalation(scenarios[candidate.scenario], step, history, as_of, period)
        if verdict.step is None:
            reason = verdict.reason or "waiting"
            waiting[reason] = waiting.get(reason, 0) + 1
            notice_on = history.notice_delivered_on
            possible = None if notice_on is None else notice_on + dt.timedelta(days=period.days)
            held.append(HeldHandover(candidate.customer_id, candidate.reference, reason, possible))
        elif verdict.step == candidate.step:
            kept.append(candidate)
        else:
            first += 1
            kept.append(candidate._replace(step=verdict.step))
            # the hand-over can follow once this notice is delivered (now) and its period has run
            possible = as_of + dt.timedelta(days=period.days)
            held.append(
                HeldHandover(candidate.customer_id, candidate.reference, verdict.reason or "", possible)
            )
    return Escalated(kept, waiting, first, tuple(sorted(held)))
