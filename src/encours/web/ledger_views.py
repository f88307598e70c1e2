"""Read models of the ledger for screens and the API: pages of customers, one customer's items.

Set-wise SQL restricted to the customers on screen (indexed by customer), so a page costs
the same with 100 or 100k customers. Whole-ledger figures: encours.web.figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from encours.analytics.open_items import with_open_items
from encours.domain.money import from_cents
from encours.domain.records import Customer
from encours.ledger.queries import StoredCustomer, search_customers
from encours.storage.base import sql_date

# Open items of some customers at :as_of, settled ones included (the one rule, restricted).
CUSTOMER_ITEMS_SQL = text(
    with_open_items(
        """
SELECT entry_id, customer_pk, kind, reference, date, due_date, amount_cents, currency, disputed, label,
       open_cents
FROM open_items
""",
        within="e.customer_pk IN :pks",
        columns=("reference", "label"),
    )
).bindparams(bindparam("pks", expanding=True))

# A customer's latest payments and what of each is still unapplied (minus its open amount).
PAYMENTS_SQL = text(
    with_open_items(
        """
SELECT reference, date, amount_cents, currency, label, open_cents
FROM open_items
ORDER BY date DESC, entry_id DESC
LIMIT :limit
""",
        within="e.customer_pk = :pk AND e.kind = 'payment'",
        columns=("reference", "label"),
    )
)


class OpenItemView(NamedTuple):
    entry_id: int
    customer_pk: int
    invoice_id: str
    kind: str
    date: dt.date
    due_date: dt.date
    amount: Decimal
    open_amount: Decimal
    currency: str
    disputed: bool
    label: str
    days_past_due: int  # from the aging date (due date, or own date for a credit)


class Balance(NamedTuple):
    currency: str
    balance: Decimal
    overdue: Decimal
    not_due: Decimal


class CustomerSummary(NamedTuple):
    customer: Customer
    balances: tuple[Balance, ...]

    @property
    def balance(self) -> Decimal:
        return sum((b.balance for b in self.balances), Decimal(0))

    @property
    def overdue(self) -> Decimal:
        return sum((b.overdue for b in self.balances), Decimal(0))


class PaymentView(NamedTuple):
    payment_id: str
    date: dt.date
    amount: Decimal  # positive, as received
    unapplied: Decimal
    currency: str
    label: str


def open_items(
    session: Session, customer_pks: Sequence[int], as_of: dt.date, *, settled_documents: bool = False
) -> list[OpenItemView]:
    """Non-zero open items of the given customers, oldest aging date first.

    With ``settled_documents`` the documents (not payments) already settled are listed too.
    """
    if not customer_pks:
        return []
    items = []
    for row in session.execute(CUSTOMER_ITEMS_SQL, {"pks": list(customer_pks), "as_of": as_of}):
        open_cents = int(row.open_cents)
        if open_cents == 0 and not (settled_documents and row.kind != "payment"):
            continue
        date, due = sql_date(row.date), sql_date(row.due_date)
        aging_date = due if row.amount_cents > 0 else date
        items.append(
            OpenItemView(
                entry_id=row.entry_id,
                customer_pk=row.customer_pk,
                invoice_id=row.reference,
                kind=row.kind,
                date=date,
                due_date=due,
                amount=from_cents(int(row.amount_cents)),
                open_amount=from_cents(open_cents),
                currency=row.currency,
                disputed=bool(row.disputed),
                label=row.label or "",
                days_past_due=(as_of - aging_date).days,
            )
        )
    items.sort(key=lambda i: (i.due_date if i.amount > 0 else i.date, i.invoice_id))
    return items


def balances(items: Sequence[OpenItemView]) -> dict[int, tuple[Balance, ...]]:
    grid: dict[int, dict[str, list[Decimal]]] = defaultdict(dict)
    for item in items:
        cell = grid[item.customer_pk].setdefault(item.currency, [Decimal(0)] * 3)
        cell[0] += item.open_amount
        if item.days_past_due > 0 and item.open_amount > 0:
            cell[1] += item.open_amount
        if item.days_past_due <= 0:
            cell[2] += item.open_amount
    return {
        pk: tuple(Balance(cur, *amounts) for cur, amounts in sorted(by_currency.items()))
        for pk, by_currency in grid.items()
    }


class CustomerPage(NamedTuple):
    items: list[CustomerSummary]
    total: int
    offset: int
    limit: int


def customer_page(
    session: Session, as_of: dt.date, search: str = "", offset: int = 0, limit: int = 50
) -> CustomerPage:
    """Customers ordered by id, filtered by id or name, with their balances at ``as_of``."""
    found = search_customers(session, search, offset, limit)
    grid = balances(open_items(session, [c.pk for c in found.customers], as_of))
    return CustomerPage(
        [CustomerSummary(c.customer, grid.get(c.pk, ())) for c in found.customers], found.total, offset, limit
    )


def customer_summary(
    session: Session, stored: StoredCustomer, as_of: dt.date, items: Sequence[OpenItemView] | None = None
) -> CustomerSummary:
    """The customer's balances, from its open items (read here unless already at hand)."""
    found = balances(open_items(session, [stored.pk], as_of) if items is None else items)
    return CustomerSummary(stored.customer, found.get(stored.pk, ()))


def payments(session: Session, customer_pk: int, as_of: dt.date, limit: int = 100) -> list[PaymentView]:
    out = []
    for row in session.execute(PAYMENTS_SQL, {"pk": customer_pk, "as_of": as_of, "limit": limit}):
        received = -int(row.amount_cents)
        out.append(
            PaymentView(
                row.reference,
                sql_date(row.date),
                from_cents(received),
                from_cents(-int(row.open_cents)),
                row.currency,
                row.label or "",
            )
        )
    return out
