"""Which of a customer's open invoices a lump payment settles: a bounded subset-sum search.

Customers often pay several invoices in one transfer without saying which. The search looks
at the oldest invoices only (``MAX_INVOICES``) and visits at most ``NODE_BUDGET`` nodes, so a
customer with hundreds of open invoices costs the same as one with twenty; it stops at the
second solution, because two combinations of one total are a question for a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

MAX_INVOICES = 20
NODE_BUDGET = 20_000


class Combinations(NamedTuple):
    found: tuple[tuple[int, ...], ...]  # positions in the given list, at most two solutions
    complete: bool  # False: the budget ran out before the search did

    @property
    def unique(self) -> tuple[int, ...] | None:
        return self.found[0] if len(self.found) == 1 and self.complete else None


def combinations(amounts: Sequence[int], low: int, high: int, budget: int = NODE_BUDGET) -> Combinations:
    """Subsets of two or more ``amounts`` (positive cents, oldest first) whose sum is in [low, high]."""
    amounts = list(amounts[:MAX_INVOICES])
    suffix = [0] * (len(amounts) + 1)
    for index in range(len(amounts) - 1, -1, -1):
        suffix[index] = suffix[index + 1] + amounts[index]
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []
    nodes = 0
    exhausted = False

    def visit(index: int, total: int) -> None:
        nonlocal nodes, exhausted
        if len(found) >= 2 or exhausted:
            return
        nodes += 1
        if nodes > budget:
            exhausted = True
            return
        if low <= total <= high and len(chosen) >= 2:
            found.append(tuple(chosen))
            return  # adding more only grows the sum (amounts are positive) past a found total
        if index == len(amounts) or total + suffix[index] < low:
            return
        if total + amounts[index] <= high:
            chosen.append(index)
            visit(index + 1, total + amounts[index])
            chosen.pop()
        visit(index + 1, total)

    visit(0, 0)
    return Combinations(tuple(found), not exhausted)
