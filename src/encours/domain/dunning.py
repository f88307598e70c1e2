"""Dunning decisions (SPEC §8), pure: which step each open invoice is due for, and grouping.

A scenario is an ordered list of steps placed relative to the due date. An open invoice gets
the *latest* step whose offset its days past due have reached (catch-up: earlier steps that
were never sent are skipped, not replayed), unless that step or a later one was already
decided for it; the legal exceptions to catch-up (no hand-over before a delivered formal
notice has run its period) are ``domain.escalation``'s. A step may close early
(``until_days``) when a scenario says so. Decided invoices are grouped into one action per
customer, step and currency, and every action of a customer in a run shares one message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"
    HANDOVER = "handover"

    @property
    def by_mail(self) -> bool:
        """Delivered in the customer's grouped e-mail (a letter travels as a PDF attachment)."""
        return self in (Channel.EMAIL, Channel.LETTER)


class StepKind(StrEnum):
    """What a step is in law and for the customer's history (SPEC §8), whatever its key or template.

    ``courtesy``: before or at the due date; ``reminder``: a reminder of an overdue invoice;
    ``call``: a phone call (a task for a collector, not a message the customer received);
    ``formal_notice``: the mise en demeure; ``handover``: litigation or a collection agency.
    ``thank_you`` and ``instalment`` are the steps Encours adds by itself.
    """

    COURTESY = "courtesy"
    REMINDER = "reminder"
    CALL = "call"
    FORMAL_NOTICE = "formal_notice"
    HANDOVER = "handover"
    THANK_YOU = "thank_you"
    INSTALMENT = "instalment"


THANK_YOU = "thank_you"
INSTALMENT_PREFIX = "instalment:"
SCENARIO_KINDS = (
    StepKind.COURTESY, StepKind.REMINDER, StepKind.CALL, StepKind.FORMAL_NOTICE, StepKind.HANDOVER,
)  # fmt: skip


def infer_kind(key: str, channel: Channel, template: str, offset_days: int) -> StepKind:
    """The kind of a step whose scenario file does not say it (files written before ``kind``)."""
    if key == THANK_YOU:
        return StepKind.THANK_YOU
    if key.startswith(INSTALMENT_PREFIX):
        return StepKind.INSTALMENT
    if channel is Channel.HANDOVER:
        return StepKind.HANDOVER
    if "formal_notice" in (key, template):
        return StepKind.FORMAL_NOTICE
    if channel is Channel.PHONE:
        return StepKind.CALL
    return StepKind.COURTESY if offset_days <= 0 else StepKind.REMINDER


def instalment_step_key(plan_id: int, seq: int, days_past_due: int) -> str:
    """One reminder before an instalment falls due, one more once it is late."""
    return f"{INSTALMENT_PREFIX}{plan_id}:{seq}{':late' if days_past_due > 0 else ''}"


def parse_instalment_step(key: str) -> tuple[int, int] | None:
    """(plan id, instalment number) of an instalment reminder's step key."""
    if not key.startswith(INSTALMENT_PREFIX):
        return None
    parts = key[len(INSTALMENT_PREFIX) :].split(":")
    return int(parts[0]), int(parts[1])


class Step(NamedTuple):
    key: str  # unique per scenario; the marker that a step was decided for an invoice
    offset_days: int  # relative to the due date: -5 is five days before, 45 is 45 days after
    channel: Channel
    template: str
    tone: str = "neutral"
    min_amount: Decimal = Decimal(0)  # the customer's total for this step must reach it
    until_days: int | None = None  # optional last day (past due) the step still applies
    attachments: tuple[str, ...] = ()  # letter templates attached to the e-mail (e.g. statement)
    kind: StepKind | None = None  # None: inferred from key, channel, template and offset

    @property
    def step_kind(self) -> StepKind:
        if self.kind is not None:
            return self.kind
        return infer_kind(self.key, self.channel, self.template, self.offset_days)

    def applies(self, days_past_due: int) -> bool:
        if days_past_due < self.offset_days:
            return False
        return self.until_days is None or days_past_due <= self.until_days


class Scenario(NamedTuple):
    name: str
    steps: tuple[Step, ...]  # sorted by offset
    segments: tuple[str, ...] = ()  # customers.segment values it serves
    risk_segments: tuple[str, ...] = ()  # risk_scores.segment values it serves (fallback)
    default: bool = False
    description: str = ""

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def by_offset(self, offset: int) -> Step:
        return next(s for s in self.steps if s.offset_days == offset)


def scenario_problems(scenario: Scenario) -> list[str]:
    """What makes a scenario unusable; empty when it is fine."""
    problems = []
    if not scenario.steps:
        problems.append("no steps")
    keys = [s.key for s in scenario.steps]
    offsets = [s.offset_days for s in scenario.steps]
    if len(set(keys)) != len(keys):
        problems.append("two steps share a key")
    if len(set(offsets)) != len(offsets):
        problems.append("two steps share an offset_days")
    if THANK_YOU in keys:
        problems.append(f"{THANK_YOU!r} is reserved for the thank-you message")
    for step in scenario.steps:
        if step.until_days is not None and step.until_days < step.offset_days:
            problems.append(f"step {step.key}: until_days before offset_days")
        if step.min_amount < 0:
            problems.append(f"step {step.key}: negative min_amount")
        if step.step_kind not in SCENARIO_KINDS:
            problems.append(f"step {step.key}: kind {step.step_kind.value!r} is reserved")
        if (step.channel is Channel.HANDOVER) != (step.step_kind is StepKind.HANDOVER):
            problems.append(f"step {step.key}: a hand-over is of kind 'handover' on channel 'handover'")
        if step.step_kind is StepKind.HANDOVER and not any(
            s.step_kind is StepKind.FORMAL_NOTICE and s.offset_days < step.offset_days for s in scenario.steps
        ):
            problems.append(f"step {step.key}: a hand-over needs a step of kind 'formal_notice' before it")
    return problems


def step_for(scenario: Scenario, days_past_due: int) -> Step | None:
    """The reference rule: the latest step whose offset is reached and whose window is open."""
    latest = None
    for step in scenario.steps:
        if days_past_due >= step.offset_days:
            latest = step
    return latest if latest is not None and latest.applies(days_past_due) else None


class StepWindow(NamedTuple):
    """Due dates for which a step is the one due at ``as_of``: ``due_from`` ≤ due ≤ ``due_to``."""

    offset_days: int
    due_to: dt.date
    due_from: dt.date | None


def step_windows(scenario: Scenario, as_of: dt.date) -> list[StepWindow]:
    """Latest step first, as a SQL CASE expression needs them: set-wise selection by date bounds."""
    windows = []
    for step in reversed(scenario.steps):
        due_to = as_of - dt.timedelta(days=step.offset_days)
        due_from = None if step.until_days is None else as_of - dt.timedelta(days=step.until_days)
        windows.append(StepWindow(step.offset_days, due_to, due_from))
    return windows


def choose_scenario(
    scenarios: Sequence[Scenario], segment: str | None, risk_segment: str | None
) -> Scenario | None:
    """By customer segment, else by risk segment, else the default scenario."""
    for scenario in scenarios:
        if segment is not None and segment in scenario.segments:
            return scenario
    for scenario in scenarios:
        if risk_segment is not None and risk_segment in scenario.risk_segments:
            return scenario
    return next((s for s in scenarios if s.default), None)


class Candidate(NamedTuple):
    """An open invoice due for a step (as selected set-wise from the database)."""

    entry_id: int
    entry_key: str
    reference: str
    customer_pk: int
    customer_id: str
    due_date: dt.date
    open_amount: Decimal
    currency: str
    scenario: str
    step: str


class Suppressions(NamedTuple):
    """What casework keeps out of the scenario (disputes, pauses, promises, payment plans)."""

    disputed_entry_keys: set[str]
    paused_customer_ids: set[str]
    promised_until: Mapping[str, dt.date]
    plan_entry_keys: set[str]


def suppressed_reason(candidate: Candidate, suppressions: Suppressions, as_of: dt.date) -> str | None:
    if candidate.entry_key in suppressions.disputed_entry_keys:
        return "disputed"
    if candidate.customer_id in suppressions.paused_customer_ids:
        return "paused"
    promised = suppressions.promised_until.get(candidate.entry_key)
    if promised is not None and as_of <= promised:
        return "promised"
    if candidate.entry_key in suppressions.plan_entry_keys:
        return "payment_plan"
    return None


class PlannedAction(NamedTuple):
    customer_pk: int
    customer_id: str
    scenario: str
    step: Step
    invoices: tuple[Candidate, ...]
    currency: str
    amount_due: Decimal | None = None  # instalment reminders: the instalment, not the invoices

    @property
    def amount(self) -> Decimal:
        if self.amount_due is not None:
            return self.amount_due
        return sum((c.open_amount for c in self.invoices), Decimal(0))

    @property
    def counts_as_reminder(self) -> bool:
        """Markers of ordinary steps after the due date make a paid invoice earn a thank-you."""
        return self.step.step_kind not in (StepKind.THANK_YOU, StepKind.INSTALMENT)


class Reminders(NamedTuple):
    """The reminders of a run (one action per customer, step and currency) and what was left out."""

    actions: tuple[PlannedAction, ...]
    suppressed: Mapping[str, int]  # reason -> invoices left out
    below_minimum: int  # invoices left for later: their customer's total is under the step minimum


def _invoice_order(candidate: Candidate) -> tuple[dt.date, str, int]:
    return candidate.due_date, candidate.reference, candidate.entry_id


def select_reminders(
    candidates: Iterable[Candidate],
    scenarios: Mapping[str, Scenario],
    suppressions: Suppressions,
    as_of: dt.date,
) -> Reminders:
    """Suppress, then group into one action per customer, step and currency; apply minimums."""
    groups: dict[tuple[str, str, str, str], list[Candidate]] = defaultdict(list)
    suppressed: dict[str, int] = defaultdict(int)
    anything_suppressed = any(suppressions[:4])
    for candidate in candidates:
        if anything_suppressed:
            reason = suppressed_reason(candidate, suppressions, as_of)
            if reason is not None:
                suppressed[reason] += 1
                continue
        groups[(candidate.customer_id, candidate.step, candidate.currency, candidate.scenario)].append(
            candidate
        )
    steps = {(s.name, step.key): step for s in scenarios.values() for step in s.steps}
    actions = []
    below = 0
    for (customer_id, step_key, currency, scenario_name), invoices in sorted(groups.items()):
        step = steps.get((scenario_name, step_key))
        if step is None:  # pragma: no cover - candidates come from the same scenarios
            continue
        if len(invoices) > 1:
            invoices.sort(key=_invoice_order)
        action = PlannedAction(
            invoices[0].customer_pk, customer_id, scenario_name, step, tuple(invoices), currency
        )
        if action.amount < step.min_amount:
            below += len(invoices)
            continue
        actions.append(action)
    actions.sort(key=lambda a: (a.customer_id, a.step.offset_days, a.currency))
    return Reminders(tuple(actions), dict(suppressed), below)


def thank_you_actions(
    settled: Iterable[Candidate], paused: set[str], scenarios: Mapping[str, Scenario]
) -> list[PlannedAction]:
    """One thank-you per customer whose reminded invoices are all paid.

    A customer reminded again in the same run gets both, in its one e-mail (SPEC §8).
    """
    by_customer: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in settled:
        if candidate.customer_id in paused:
            continue
        by_customer[(candidate.customer_id, candidate.currency)].append(candidate)
    actions = []
    for (customer_id, currency), invoices in sorted(by_customer.items()):
        invoices.sort(key=lambda c: (c.due_date, c.reference, c.entry_id))
        step = Step(THANK_YOU, 0, Channel.EMAIL, THANK_YOU, tone="thanks", kind=StepKind.THANK_YOU)
        scenario = invoices[0].scenario if invoices[0].scenario in scenarios else ""
        actions.append(
            PlannedAction(invoices[0].customer_pk, customer_id, scenario, step, tuple(invoices), currency)
        )
    return actions


def pick_language(requested: str | None, available: Iterable[str], default: str = "fr") -> str:
    """The customer's language when templates exist for it, else the default."""
    code = (requested or "").strip().lower()[:2]
    return code if code in set(available) else default
