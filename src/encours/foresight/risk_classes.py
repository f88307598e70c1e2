"""Each customer's risk class (segment A–D of its latest stored score), for lists and filters.

Set-wise: one query for a page of customers or for a filter, on ``uq_risk_scores_customer_as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache

from sqlalchemy import Date, Select, bindparam, func, select
from sqlalchemy.orm import Session

from encours.foresight.models import RiskScoreRow
from encours.ledger.models import CustomerRow
from encours.storage.lists import one_of_param

CLASSES = ("A", "B", "C", "D")


def _latest(as_of: dt.date) -> Select[int, dt.date]:
    return (
        select(RiskScoreRow.customer_pk, func.max(RiskScoreRow.as_of).label("day"))
        .where(RiskScoreRow.as_of <= as_of)
        .group_by(RiskScoreRow.customer_pk)
    )


def _classes(as_of: dt.date) -> Select[str, str]:
    latest = _latest(as_of).subquery()
    return (
        select(CustomerRow.customer_id, RiskScoreRow.segment)
        .join(
            latest, (latest.c.customer_pk == RiskScoreRow.customer_pk) & (latest.c.day == RiskScoreRow.as_of)
        )
        .join(CustomerRow, CustomerRow.id == RiskScoreRow.customer_pk)
    )


def risk_classes(session: Session, customer_ids: Sequence[str], as_of: dt.date) -> dict[str, str]:
    """The class of each named customer scored on or before ``as_of``: the named customers'
    scores only (a page's few), the latest of each kept."""
    if not customer_ids:
        return {}
    query = _classes_query(session.get_bind().dialect.name)
    rows = session.connection().execute(query, {"customer_ids": list(customer_ids), "as_of": as_of}).all()
    return {str(cid): str(segment) for cid, segment in rows}  # the latest written last


@cache
def _classes_query(dialect: str) -> Select[str, str]:
    """Built once per database kind (a page reads it for its 50 customers)."""
    return (
        select(CustomerRow.customer_id, RiskScoreRow.segment)
        .join(CustomerRow, CustomerRow.id == RiskScoreRow.customer_pk)
        .where(
            one_of_param(dialect, CustomerRow.customer_id, "customer_ids"),
            RiskScoreRow.as_of <= bindparam("as_of", type_=Date()),
        )
        .order_by(RiskScoreRow.as_of, RiskScoreRow.id)
    )


def scores_state(session: Session) -> int:
    """The highest score id: any scoring run writes new rows, so a set cached under it is current."""
    return int(session.scalar(select(func.max(RiskScoreRow.id))) or 0)


def customers_by_class(session: Session, as_of: dt.date) -> dict[str, set[str]]:
    """The customers in each class (of their latest score on or before ``as_of``): one pass,
    every class at once, so a filter on another class costs nothing more."""
    found: dict[str, set[str]] = {}
    for customer_id, risk_class in session.connection().execute(_classes(as_of)).all():
        found.setdefault(risk_class, set()).add(customer_id)
    return found
