"""Settling debits with credits: explicit allocations and balanced lettering groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from encours.domain.records import Allocation, Entry


def apply_payment(payment: Entry, invoice: Entry, already_settled: Decimal) -> Allocation | None:
    """Allocate a payment to one invoice; any excess stays unapplied on the payment."""
    room = invoice.amount - already_settled
    amount = min(-payment.amount, room)
    if amount <= 0:
        return None
    return Allocation(payment.key, invoice.key, amount, max(payment.date, invoice.date))


def is_balanced(group: Sequence[Entry]) -> bool:
    return sum((entry.amount for entry in group), Decimal(0)) == 0 and len(group) > 1


def allocate_group(group: Sequence[Entry]) -> list[Allocation]:
    """Settle a balanced lettering group first-in first-out by date.

    Each credit settles the oldest debits first, from the later of the two dates on, so an
    aged balance at an earlier date still shows what was open then.
    """
    if not is_balanced(group):
        return []
    order = sorted(group, key=lambda e: (e.date, e.key))
    debits = [e for e in order if e.is_debit]
    rooms = [e.amount for e in debits]
    allocations: list[Allocation] = []
    index = 0
    for credit in (e for e in order if not e.is_debit):
        left = -credit.amount
        while left > 0 and index < len(debits):
            debit = debits[index]
            take = min(left, rooms[index])
            date: dt.date = max(credit.date, debit.date)
            allocations.append(Allocation(credit.key, debit.key, take, date))
            left -= take
            rooms[index] -= take
            if rooms[index] == 0:
                index += 1
    return allocations
