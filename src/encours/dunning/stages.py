"""How far dunning went with each customer: the step of its latest action (the worklist's stage).

Read set-wise (one query for a page of customers, one for a filter), on the index
``ix_dunning_actions_customer (customer_pk, id)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from encours.dunning.models import DunningActionRow
from encours.storage.lists import one_of_param


class Stage(NamedTuple):
    step: str
    as_of: dt.date  # the run that reached it
    sent_at: dt.datetime | None  # when it was delivered (last contact by dunning)


def _latest_ids() -> Select[int]:
    return select(func.max(DunningActionRow.id)).group_by(DunningActionRow.customer_pk)


def stages(session: Session, customer_ids: Sequence[str]) -> dict[str, Stage]:
    """The latest dunning step of each customer named that dunning reached."""
    if not customer_ids:
        return {}
    query = _stages_query(session.get_bind().dialect.name)
    rows = session.connection().execute(query, {"customer_ids": list(customer_ids)})
    return {cid: Stage(step, as_of, sent_at) for cid, step, as_of, sent_at in rows}


@cache
def _stages_query(dialect: str) -> Select[str, str, dt.date, dt.datetime | None]:
    """Built once per database kind (a page reads it for its 50 customers)."""
    named = _latest_ids().where(one_of_param(dialect, DunningActionRow.customer_id, "customer_ids"))
    return select(
        DunningActionRow.customer_id, DunningActionRow.step, DunningActionRow.as_of, DunningActionRow.sent_at
    ).where(DunningActionRow.id.in_(named))


def customers_by_step(session: Session) -> dict[str, set[str]]:
    """The customers at each step (their latest dunning action's): one pass over every action,
    every step at once, so a filter on another step costs nothing more."""
    query = select(DunningActionRow.customer_id, DunningActionRow.step).where(
        DunningActionRow.id.in_(_latest_ids())
    )
    found: dict[str, set[str]] = {}
    for customer_id, step in session.connection().execute(query).all():
        found.setdefault(step, set()).add(customer_id)
    return found


def actions_state(session: Session) -> int:
    """The highest action id: every dunning run adds actions (never rewrites a step), so a
    set cached under it is current."""
    return int(session.scalar(select(func.max(DunningActionRow.id))) or 0)
