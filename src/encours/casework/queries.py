"""Read functions on casework for the screens and the API: what an account's sheet shows.

Adapters ask here instead of reading casework's tables, so the rules stay casework's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Subquery, bindparam, func, select, text
from sqlalchemy.orm import Session

from encours.analytics.open_items import balances_ctes
from encours.casework import credit_limits, holds, repository
from encours.casework.models import CreditGroupRow, HoldRow, OpenOrdersRow
from encours.domain.credit import CreditPosition, position
from encours.domain.fx import FxTable
from encours.domain.money import from_cents
from encours.domain.records import Customer
from encours.ledger.models import CustomerRow
from encours.storage.planner import without_parallel_workers


class AccountCredit(NamedTuple):
    currency: str
    position: CreditPosition
    credit_hold: bool
    group: credit_limits.GroupCredit | None


def account_credit(
    session: Session,
    customer_pk: int,
    customer: Customer,
    outstanding: Mapping[str, Decimal],
    as_of: dt.date,
    rates: FxTable | None = None,
    status: holds.CustomerStatus | None = None,
) -> AccountCredit:
    """The account's credit position with casework's rule (outstanding + open orders vs limit).

    ``outstanding`` is the caller's own open balance per currency (a customer sheet has it at
    hand, so the sheet costs the same on 100k customers); other currencies than the limit's
    count at the exchange-rate table ``rates`` (default: the shipped one); ``status``: the
    account's holds when the caller has read them.
    The SIREN group's position is read only when a group limit exists.
    """
    currency = customer.currency or "EUR"
    table = rates or credit_limits.load_fx_rates(None)
    orders = session.get(OpenOrdersRow, customer_pk)
    open_orders = (
        table.convert(from_cents(orders.amount_cents), orders.currency, currency, as_of)
        if orders
        else Decimal(0)
    )
    group = None
    if customer.siren and session.get(CreditGroupRow, customer.siren) is not None:
        group = next(iter(credit_limits.group_positions(session, as_of, customer.siren, table)), None)
    status = status or holds.customer_status(session, customer.customer_id, as_of)
    owed = sum(
        (table.convert(amount, code, currency, as_of) for code, amount in outstanding.items()), Decimal(0)
    )
    exposure = position(owed, open_orders, customer.credit_limit)
    return AccountCredit(currency, exposure, status.credit_hold, group)


HANDED_OVER = frozenset({holds.HoldKind.LITIGATION, holds.HoldKind.AGENCY})


class HandedOver(NamedTuple):
    """A customer handed over to litigation or a collection agency, as the litigation board shows it."""

    customer_id: str
    kind: str  # litigation | agency
    since: dt.date
    reason: str
    created_by: str
    balances: tuple[tuple[str, Decimal], ...]  # (currency, open balance), by currency


HANDED_OVER_BALANCES_SQL = text(
    f"WITH {balances_ctes({'open_cents': 'cents'}, 'e.customer_pk IN :pks')}\n"
    "SELECT customer_pk, currency, open_cents FROM balances ORDER BY customer_pk, currency"
).bindparams(bindparam("pks", expanding=True))


def handed_over_ids(session: Session, as_of: dt.date) -> set[str]:
    """Customers under a litigation or agency hold at ``as_of``: the collectors no longer call them."""
    query = (
        select(CustomerRow.customer_id)
        .join(HoldRow, HoldRow.customer_pk == CustomerRow.id)
        .where(*holds.in_force(as_of), HoldRow.kind.in_([kind.value for kind in HANDED_OVER]))
    )
    return set(session.connection().execute(query).scalars().all())


def _first_hand_overs(as_of: dt.date) -> Subquery:
    """Each handed-over customer's earliest hand-over in force at ``as_of`` (id, start date)."""
    ranked = (
        select(
            HoldRow.id,
            HoldRow.start_date,
            func.row_number()
            .over(partition_by=HoldRow.customer_pk, order_by=(HoldRow.start_date, HoldRow.id))
            .label("n"),
        )
        .where(*holds.in_force(as_of), HoldRow.kind.in_([kind.value for kind in HANDED_OVER]))
        .subquery()
    )
    return select(ranked.c.id, ranked.c.start_date).where(ranked.c.n == 1).subquery()


def _days_of_page(
    days: Sequence[tuple[dt.date, int]], offset: int, limit: int
) -> tuple[dt.date, dt.date, int]:
    """The first and last start dates of the page ``offset, limit`` in start-date order, and
    how many hand-overs start before its first date (``days``: each date's count, in order)."""
    first: dt.date | None = None
    before = seen = 0
    for day, count in days:
        if first is None and seen + count > offset:
            first, before = day, seen
        seen += count
        if first is not None and seen >= offset + limit:
            return first, day, before
    assert first is not None, "the page starts past the last hand-over"
    return first, days[-1][0], before


def litigation_board(
    session: Session, as_of: dt.date, *, offset: int = 0, limit: int = 50
) -> repository.CasePage[HandedOver]:
    """A page of the customers handed over at ``as_of`` (each one's earliest hand-over in force),
    earliest first, then by customer id, with what they owe: chosen, counted and paged in SQL.

    The hand-overs are counted per start date first, so only those of the page's dates are
    joined to their customers for the tie order (not every hand-over of the ledger)."""
    offset, limit = max(0, offset), max(0, limit)
    first = _first_hand_overs(as_of)
    days = [
        (day, int(count))
        for day, count in session.execute(
            select(first.c.start_date, func.count()).group_by(first.c.start_date).order_by(first.c.start_date)
        )
    ]
    total = sum(count for _, count in days)
    if offset >= total or not limit:
        return repository.CasePage(total, [])
    since, until, before = _days_of_page(days, offset, limit)
    page = session.execute(
        select(
            HoldRow.customer_pk,
            CustomerRow.customer_id,
            CustomerRow.name,
            HoldRow.kind,
            HoldRow.start_date,
            HoldRow.reason,
            HoldRow.created_by,
        )
        .join(CustomerRow, CustomerRow.id == HoldRow.customer_pk)
        .where(HoldRow.id.in_(select(first.c.id)), HoldRow.start_date.between(since, until))
        .order_by(HoldRow.start_date, CustomerRow.customer_id)
        .offset(offset - before)
        .limit(limit)
    ).all()
    owed: dict[int, list[tuple[str, Decimal]]] = {row.customer_pk: [] for row in page}
    without_parallel_workers(session)
    for pk, currency, cents in session.execute(
        HANDED_OVER_BALANCES_SQL, {"pks": sorted(owed), "as_of": as_of}
    ):
        if cents:
            owed[int(pk)].append((str(currency), from_cents(int(cents))))
    names = {row.customer_id: row.name for row in page}
    return repository.CasePage(
        total,
        [
            HandedOver(
                row.customer_id,
                row.kind,
                row.start_date,
                row.reason,
                row.created_by,
                tuple(owed[row.customer_pk]),
            )
            for row in page
        ],
        names,
    )


def statement_keys(session: Session, customer_id: str, as_of: dt.date) -> list[str]:
    """Ledger keys of what a statement (relevé) lists at ``as_of``: every open invoice of the
    customer, not-due ones included, disputed ones left out, by due date (SPEC §8)."""
    owner = repository.customer(session, customer_id)
    return [ref.key for ref in repository.open_invoices(session, owner, as_of)]


def statement_entry_ids(session: Session, customer_id: str, as_of: dt.date) -> set[int]:
    """Ledger ids of the invoices a statement lists at ``as_of`` (as :func:`statement_keys`)."""
    owner = repository.customer(session, customer_id)
    return {ref.id for ref in repository.open_invoices(session, owner, as_of)}
