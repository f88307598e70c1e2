"""Read functions on casework for the screens and the API: what an account's sheet shows.

Adapters ask here instead of reading casework's tables, so the rules stay casework's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.casework import credit_limits, holds
from encours.casework.models import CreditGroupRow, OpenOrdersRow
from encours.domain.credit import CreditPosition, position
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
) -> AccountCredit:
    """The account's credit position with casework's rule (outstanding + open orders vs limit).

    ``outstanding`` is the caller's own open balance per currency (a customer sheet has it at
    hand, so the sheet costs the same on 100k customers); only the limit's currency counts.
    The SIREN group's position is read only when a group limit exists.
    """
    currency = customer.currency or "EUR"
    orders = session.get(OpenOrdersRow, customer_pk)
    open_orders = from_cents(orders.amount_cents) if orders and orders.currency == currency else Decimal(0)
    group = None
    if customer.siren and session.get(CreditGroupRow, customer.siren) is not None:
        group = next(iter(credit_limits.group_positions(session, as_of, customer.siren)), None)
    status = holds.customer_status(session, customer.customer_id, as_of)
    exposure = position(outstanding.get(currency, Decimal(0)), open_orders, customer.credit_limit)
    return AccountCredit(currency, exposure, status.credit_hold, group)
