"""Customer-level states: dunning pause, credit hold, litigation or collection-agency hand-over.

A hold is in force from ``start_date`` to ``end_date`` (inclusive, open-ended when None)
until released. Pause, litigation and agency stop ordinary dunning for the customer; a
credit hold only flags the account (no new credit) and is what users see on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import repository
from encours.casework.errors import CaseworkError
from encours.casework.models import HoldRow
from encours.storage.base import utcnow


class HoldKind(StrEnum):
    PAUSE = "pause"
    CREDIT_HOLD = "credit_hold"
    LITIGATION = "litigation"
    AGENCY = "agency"


STOPS_DUNNING = frozenset({HoldKind.PAUSE, HoldKind.LITIGATION, HoldKind.AGENCY})


class Hold(NamedTuple):
    hold_id: int
    customer_id: str
    kind: HoldKind
    reason: str
    start_date: dt.date
    end_date: dt.date | None
    created_by: str
    created_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str | None


class CustomerStatus(NamedTuple):
    """What a user sees on an account at a date."""

    customer_id: str
    paused: bool  # no ordinary dunning (pause, litigation or agency)
    credit_hold: bool
    litigation: HoldKind | None  # litigation or agency when handed over
    holds: tuple[Hold, ...]


def _hold(row: HoldRow | Row[Any], customer_id: str) -> Hold:
    return Hold(
        row.id,
        customer_id,
        HoldKind(row.kind),
        row.reason,
        row.start_date,
        row.end_date,
        row.created_by,
        row.created_at,
        row.released_at,
        row.released_by,
    )


def in_force(as_of: dt.date) -> list[ColumnElement[bool]]:
    return [
        HoldRow.released_at.is_(None),
        HoldRow.start_date <= as_of,
        or_(HoldRow.end_date.is_(None), HoldRow.end_date >= as_of),
    ]


def parse_kind(kind: str) -> HoldKind:
    try:
        return HoldKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in HoldKind)
        raise CaseworkError.because("unknown_hold", field="kind", kind=kind, choices=choices) from None


def place_hold(
    session: Session,
    customer_id: str,
    kind: HoldKind | str,
    *,
    actor: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    reason: str = "",
) -> Hold:
    """Put the customer on hold; idempotent: an identical hold already in force is returned."""
    kind = parse_kind(kind)
    owner = repository.customer(session, customer_id)
    if end_date is not None and end_date < start_date:
        raise CaseworkError.because("hold_ends_before_start", field="until", end=end_date, start=start_date)
    current = session.scalars(
        select(HoldRow)
        .where(HoldRow.customer_pk == owner.pk, HoldRow.kind == kind.value, *in_force(start_date))
        .order_by(HoldRow.id)
    ).first()
    if current is not None and current.end_date == end_date:
        return _hold(current, owner.customer_id)
    if current is not None:  # same kind with another end: the new one replaces it
        current.released_at = utcnow()
        current.released_by = actor
    row = HoldRow(
        customer_pk=owner.pk,
        kind=kind.value,
        reason=reason,
        start_date=start_date,
        end_date=end_date,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        f"hold.{kind.value}.placed",
        customer_id=owner.customer_id,
        subject=f"hold:{row.id}",
        details={
            "reason": reason,
            "start_date": start_date.isoformat(),
            "end_date": None if end_date is None else end_date.isoformat(),
        },
    )
    return _hold(row, owner.customer_id)


def release_hold(
    session: Session, customer_id: str, kind: HoldKind | str, *, actor: str, reason: str = ""
) -> list[Hold]:
    """Lift every unreleased hold of ``kind`` on the customer; error when there is none."""
    kind = parse_kind(kind)
    owner = repository.customer(session, customer_id)
    rows = session.scalars(
        select(HoldRow)
        .where(HoldRow.customer_pk == owner.pk, HoldRow.kind == kind.value, HoldRow.released_at.is_(None))
        .order_by(HoldRow.id)
    ).all()
    if not rows:
        raise CaseworkError.because("no_hold", field="kind", customer=owner.customer_id, kind=kind.value)
    for row in rows:
        row.released_at = utcnow()
        row.released_by = actor
    session.flush()
    record(
        session,
        actor,
        f"hold.{kind.value}.released",
        customer_id=owner.customer_id,
        subject=",".join(f"hold:{row.id}" for row in rows),
        details={"reason": reason},
    )
    return [_hold(row, owner.customer_id) for row in rows]


def holds_in_force(session: Session, as_of: dt.date, customer_id: str | None = None) -> list[Hold]:
    query = select(*HoldRow.__table__.c).where(*in_force(as_of)).order_by(HoldRow.customer_pk, HoldRow.id)
    if customer_id is not None:  # one customer's (its sheet): its id is known, no names to read
        owner = repository.customer(session, customer_id)
        return [
            _hold(row, owner.customer_id)
            for row in session.execute(query.where(HoldRow.customer_pk == owner.pk))
        ]
    rows = session.execute(query).all()
    names = repository.customers_by_pk(session, {row.customer_pk for row in rows})
    return [_hold(row, names[row.customer_pk]) for row in rows]


def holds_state(session: Session) -> tuple[object, ...]:
    """Holds are only added (a new highest id) or released (a new latest release): a set of
    customers cached under this pair is current."""
    return tuple(session.execute(select(func.max(HoldRow.id), func.max(HoldRow.released_at))).one())


def history(session: Session, customer_id: str) -> list[Hold]:
    owner = repository.customer(session, customer_id)
    rows = session.scalars(select(HoldRow).where(HoldRow.customer_pk == owner.pk).order_by(HoldRow.id)).all()
    return [_hold(row, owner.customer_id) for row in rows]


def customer_status(session: Session, customer_id: str, as_of: dt.date) -> CustomerStatus:
    return status_of(customer_id, holds_in_force(session, as_of, customer_id))


def status_of(customer_id: str, holds: Sequence[Hold]) -> CustomerStatus:
    """The account's status from the holds in force on it (:func:`holds_in_force`)."""
    kinds = {hold.kind for hold in holds}
    litigation = next((k for k in (HoldKind.AGENCY, HoldKind.LITIGATION) if k in kinds), None)
    return CustomerStatus(
        customer_id, bool(kinds & STOPS_DUNNING), HoldKind.CREDIT_HOLD in kinds, litigation, tuple(holds)
    )
