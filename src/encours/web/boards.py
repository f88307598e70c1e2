"""The boards collectors act on: disputes, promises, payment plans and litigation, with names.

Rows come from casework's services and read functions; customers are named (one query per
board) and the newest cases come first, open ones before closed ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.casework import disputes, plans, promises, queries
from encours.domain.plans import InstalmentState
from encours.ledger import segments

LIMIT = 500


def _open_first(status: str) -> int:
    return 0 if status in ("open", "active") else 1


def dispute_board(session: Session) -> list[tuple[str, disputes.Dispute]]:
    found = sorted(
        disputes.list_disputes(session), key=lambda d: (_open_first(d.status.value), -d.dispute_id)
    )[:LIMIT]
    named = segments.names(session, [d.customer_id for d in found])
    return [(named.get(d.customer_id, d.customer_id), d) for d in found]


def promise_board(session: Session) -> list[tuple[str, promises.Promise]]:
    found = sorted(promises.list_promises(session), key=lambda p: (_open_first(p.status), -p.promise_id))[
        :LIMIT
    ]
    named = segments.names(session, [p.customer_id for p in found])
    return [(named.get(p.customer_id, p.customer_id), p) for p in found]


class PlanRow(NamedTuple):
    name: str
    plan: plans.Plan
    instalments: list[InstalmentState]
    paid: Decimal  # the instalments' amounts already covered


def plan_board(session: Session, as_of: dt.date) -> list[PlanRow]:
    """Plans with each instalment's state at ``as_of`` (paid, late, pending) from the payments."""
    found = sorted(plans.list_plans(session), key=lambda p: (_open_first(p.status), -p.plan_id))[:LIMIT]
    states = plans.plan_states(session, [p.plan_id for p in found], as_of)
    named = segments.names(session, [p.customer_id for p in found])
    rows = []
    for p in found:
        shown = states.get(p.plan_id) or list(p.instalments)
        paid = sum((i.amount - i.remaining for i in shown), Decimal(0))
        rows.append(PlanRow(named.get(p.customer_id, p.customer_id), p, shown, paid))
    return rows


def litigation_board(session: Session, as_of: dt.date) -> list[tuple[str, queries.HandedOver]]:
    found = queries.litigation_board(session, as_of)
    named = segments.names(session, [h.customer_id for h in found])
    return [(named.get(h.customer_id, h.customer_id), h) for h in found]
