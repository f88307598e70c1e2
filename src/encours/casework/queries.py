"""Read functions on casework for the screens and the API: what an account's sheet shows.

Adapters ask here instead of reading casework's tables, so the rules stay casework's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from encours.analytics.open_items import with_open_items
from encours.casework import credit_limits, holds, repository
from encours.casework.models import CreditGroupRow, OpenOrdersRow
from encours.domain.credit import CreditPosition, position
from encours.domain.fx import FxTable
from encours.domain.money import from_cents
from encours.domain.records import Customer


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
) -> AccountCredit:
    """The account's credit position with casework's rule (outstanding + open orders vs limit).

    ``outstanding`` is the caller's own open balance per currency (a customer sheet has it at
    hand, so the sheet costs the same on 100k customers); other currencies than the limit's
    count at the exchange-rate table ``rates`` (default: the shipped one).
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
    status = holds.customer_status(session, customer.customer_id, as_of)
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
    with_open_items(
        "SELECT customer_pk, currency, SUM(open_cents) FROM open_items GROUP BY customer_pk, currency "
        "ORDER BY customer_pk, currency",
        within="e.customer_pk IN :pks",
    )
).bindparams(bindparam("pks", expanding=True))


def handed_over_ids(session: Session, as_of: dt.date) -> set[str]:
    """Customers under a litigation or agency hold at ``as_of``: the collectors no longer call them."""
    return {h.customer_id for h in holds.holds_in_force(session, as_of) if h.kind in HANDED_OVER}


def litigation_board(session: Session, as_of: dt.date) -> list[HandedOver]:
    """Every customer handed over at ``as_of`` (the earliest hand-over in force), with what it owes."""
    first: dict[str, holds.Hold] = {}
    for hold in holds.holds_in_force(session, as_of):
        if hold.kind in HANDED_OVER and (
            hold.customer_id not in first or hold.start_date < first[hold.customer_id].start_date
        ):
            first[hold.customer_id] = hold
    if not first:
        return []
    pks = {c.customer_id: c.pk for c in (repository.customer(session, cid) for cid in first)}
    owed: dict[int, list[tuple[str, Decimal]]] = {pk: [] for pk in pks.values()}
    rows = session.execute(HANDED_OVER_BALANCES_SQL, {"pks": sorted(pks.values()), "as_of": as_of})
    for pk, currency, cents in rows:
        if cents:
            owed[int(pk)].append((str(currency), from_cents(int(cents))))
    return [
        HandedOver(cid, h.kind.value, h.start_date, h.reason, h.created_by, tuple(owed[pks[cid]]))
        for cid, h in sorted(first.items(), key=lambda item: (item[1].start_date, item[0]))
    ]


def statement_keys(session: Session, customer_id: str, as_of: dt.date) -> list[str]:
    """Ledger keys of what a statement (relevé) lists at ``as_of``: every open invoice of the
    customer, not-due ones included, disputed ones left out, by due date (SPEC §8)."""
    owner = repository.customer(session, customer_id)
    return [ref.key for ref in repository.open_invoices(session, owner, as_of)]


def statement_entry_ids(session: Session, customer_id: str, as_of: dt.date) -> set[int]:
    """Ledger ids of the invoices a statement lists at ``as_of`` (as :func:`statement_keys`)."""
    owner = repository.customer(session, customer_id)
    return {ref.id for ref in repository.open_invoices(session, owner, as_of)}
