"""Payment plans (échéanciers): instalment schedules and their kept / broken evaluation.

Payments toward a plan are applied cumulatively: instalment *i* is kept when everything
paid by its due date plus grace covers instalments 1..i, broken when that day has passed
short, pending otherwise.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import NamedTuple

from encours.domain.errors import InvalidInput
from encours.domain.money import CENT


class PlanRefused(InvalidInput, ValueError):
    """A schedule that cannot be drawn up (no instalment, nothing to pay); a ValueError too."""


class InstalmentStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class Instalment(NamedTuple):
    seq: int  # 1-based
    due_date: dt.date
    amount: Decimal


class InstalmentState(NamedTuple):
    seq: int
    due_date: dt.date
    amount: Decimal
    status: InstalmentStatus
    remaining: Decimal  # still to pay on this instalment at the evaluation date
    settled_on: dt.date | None  # day the cumulative payments covered it


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def equal_schedule(total: Decimal, first_due: dt.date, count: int, every_months: int = 1) -> list[Instalment]:
    """``count`` instalments of equal cents, the rounding remainder on the last one."""
    if count < 1:
        raise PlanRefused.because("plan_one_instalment")
    if every_months < 1:
        raise PlanRefused.because("plan_months_apart")
    if total <= 0:
        raise PlanRefused.because("plan_positive")
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return [
        Instalment(i + 1, add_months(first_due, i * every_months), amount) for i, amount in enumerate(amounts)
    ]


def schedule_errors(instalments: Sequence[Instalment], covered: Decimal) -> list[str]:
    """What is wrong with a schedule: amounts, order of dates, total against ``covered``."""
    errors: list[str] = []
    if not instalments:
        return ["a plan needs at least one instalment"]
    for item in instalments:
        if item.amount <= 0:
            errors.append(f"instalment {item.seq}: amount must be positive")
    for before, after in itertools.pairwise(instalments):
        if after.due_date <= before.due_date:
            errors.append(f"instalment {after.seq}: due dates must strictly increase")
    total = sum((i.amount for i in instalments), Decimal(0))
    if total != covered:
        errors.append(f"instalments total {total:.2f} but the covered invoices owe {covered:.2f}")
    return errors


def evaluate(
    instalments: Sequence[Instalment],
    payments: Sequence[tuple[dt.date, Decimal]],
    grace_days: int,
    as_of: dt.date,
) -> list[InstalmentState]:
    """State of every instalment at ``as_of`` given dated payments toward the plan."""
    dated = sorted((day, amount) for day, amount in payments if day <= as_of)
    states: list[InstalmentState] = []
    target = Decimal(0)
    total_paid = sum((amount for _, amount in dated), Decimal(0))
    for item in instalments:
        before = target
        target += item.amount
        deadline = item.due_date + dt.timedelta(days=grace_days)
        settled_on = _covered_on(dated, target)
        if settled_on is not None and settled_on <= deadline:
            status = InstalmentStatus.KEPT
        elif as_of > deadline:
            status = InstalmentStatus.BROKEN
        else:
            status = InstalmentStatus.PENDING
        remaining = min(item.amount, max(Decimal(0), target - max(total_paid, before)))
        states.append(InstalmentState(item.seq, item.due_date, item.amount, status, remaining, settled_on))
    return states


def _covered_on(dated: Sequence[tuple[dt.date, Decimal]], target: Decimal) -> dt.date | None:
    paid = Decimal(0)
    for day, amount in dated:
        paid += amount
        if paid >= target:
            return day
    return None


def plan_status(states: Sequence[InstalmentState]) -> PlanStatus:
    """Broken as soon as one instalment is broken; completed when every one is kept."""
    if any(s.status is InstalmentStatus.BROKEN for s in states):
        return PlanStatus.BROKEN
    if states and all(s.status is InstalmentStatus.KEPT for s in states):
        return PlanStatus.COMPLETED
    return PlanStatus.ACTIVE
