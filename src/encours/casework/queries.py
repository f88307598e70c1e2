"""Read functions on casework for the screens and the API: what an account's sheet shows.

Adapters ask here instead of reading casework's tables, so the rules stay casework's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from encours.analytics.open_items import with_open_items
from encours.casework import credit_limits, holds, repository
from encours.casework.models import CreditGroupRow, HoldRow, OpenOrdersRow
from encours.domain.credit import CreditPosition, position
from encours.domain.fx import FxTable
from encours.domain.money import from_cents
from encours.domain.records import Customer
from encours.ledger.models import CustomerRow


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
    query = (
        select(CustomerRow.customer_id)
        .join(HoldRow, HoldRow.customer_pk == CustomerRow.id)
        .where(*holds.in_force(as_of), HoldRow.kind.in_([kind.value for kind in HANDED_OVER]))
    )
    return set(session.connection().execute(query).scalars().all())


def litigation_board(
    session: Session, as_of: dt.date, *, offset: int = 0, limit: int = 50
) -> repository.CasePage[HandedOver]:
    """A page of the customers handed over at ``as_of`` (each one's earliest hand-over in force),
    earliest first, with what they owe: chosen, counted and paged in SQL."""
    ranked = (
        select(
            HoldRow.id,
            func.row_number()
            .over(partition_by=HoldRow.customer_pk, order_by=(HoldRow.start_date, HoldRow.id))
            .label("n"),
        )
        .where(*holds.in_force(as_of), HoldRow.kind.in_([kind.value for kind in HANDED_OVER]))
        .subquery()
    )
    first = select(ranked.c.id).where(ranked.c.n == 1)
    total = int(session.scalar(select(func.count()).select_from(first.subquery())) or 0)
    page = session.execute(
        select(HoldRow, CustomerRow.customer_id)
        .join(CustomerRow, CustomerRow.id == HoldRow.customer_pk)
        .where(HoldRow.id.in_(first))
        .order_by(HoldRow.start_date, CustomerRow.customer_id)
        .offset(max(0, offset))
        .limit(max(0, limit))
    ).all()
    if not page:
        return repository.CasePage(total, [])
    owed: dict[int, list[tuple[str, Decimal]]] = {hold.customer_pk: [] for hold, _ in page}
    rows = session.execute(HANDED_OVER_BALANCES_SQL, {"pks": sorted(owed), "as_of": as_of})
    for pk, currency, cents in rows:
        if cents:
            owed[int(pk)].append((str(currency), from_cents(int(cents))))
    return repository.CasePage(
        total,
        [
            HandedOver(cid, h.kind, h.start_date, h.reason, h.created_by, tuple(owed[h.customer_pk]))
            for h, cid in page
        ],
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
