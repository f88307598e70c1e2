"""Customer priority: which customers to call first, by expected loss avoided, not by amount alone.

For each open invoice: value = open amount × risk × time, where risk is the probability it
is still unpaid 30 days from now (what a call can change) and time the expected days until
it is paid, capped at a year, as a share of a year (the cash tied up). A customer's value is
the sum over its open invoices; customers are ranked by that value (the web worklist shows it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from encours.domain.money import from_cents
from encours.foresight.forecast import predict_open
from encours.foresight.history import NEVER, day_number
from encours.foresight.repository import ForesightRepository
from encours.foresight.service import Ledger, model_for, read_ledger

RISK_WINDOW_DAYS = 30
TIME_CAP_DAYS = 365


class CustomerPriority(NamedTuple):
    customer_id: str
    name: str
    expected_loss_avoided: Decimal
    open_amount: Decimal
    overdue_amount: Decimal
    max_days_overdue: int
    open_invoices: int
    segment: str | None
    invoice_ids: tuple[str, ...]  # the customer's open invoices, most valuable first


PRIORITY_SQL = """
SELECT customer_id, SUM(value) AS value, SUM(open_cents) AS open_cents,
       SUM(CASE WHEN overdue > 0 THEN open_cents ELSE 0 END) AS overdue_cents,
       GREATEST(MAX(overdue), 0) AS max_overdue, COUNT(*) AS n,
       LIST(invoice_id ORDER BY value DESC, invoice_id) AS invoices
FROM items GROUP BY customer_id
ORDER BY value DESC, customer_id
LIMIT ? OFFSET ?
"""


def invoice_values(ledger: Ledger, model_as_of: dt.date, session: Session) -> pa.Table:
    """One row per open invoice with its expected-loss-avoided value in cents."""
    choice = model_for(session, ledger, model_as_of)
    day = day_number(model_as_of)
    invoices = predict_open(choice.model, ledger.history, ledger.allocations, day, reminders=ledger.reminders)
    h = invoices.history
    bound = (day + 1 + RISK_WINDOW_DAYS - h.due).astype(np.float64)
    risk = 1.0 - invoices.distribution.cdf(bound[:, None])[:, 0] if h.size else np.zeros(0)
    days = np.minimum(
        np.where(invoices.expected_day >= NEVER, TIME_CAP_DAYS, invoices.expected_day - day), TIME_CAP_DAYS
    )
    value = invoices.open_cents * risk * np.maximum(days, 1) / TIME_CAP_DAYS
    return pa.table({
        "customer_id": h.customer_id, "invoice_id": h.invoice_id, "open_cents": invoices.open_cents,
        "overdue": (day - h.due).astype(np.int64), "value": np.round(value, 6),
    })  # fmt: skip


def customers_by_priority(
    session: Session,
    as_of: dt.date,
    limit: int = 50,
    offset: int = 0,
    *,
    excluded: Collection[str] = (),
) -> list[CustomerPriority]:
    """Customers to call first at ``as_of``; stable order (value, then customer id).

    ``excluded`` customers are left out before ranking: those handed over to litigation or a
    collection agency, whom collectors no longer call (the caller asks casework who they are).
    """
    ledger = read_ledger(session)
    items = invoice_values(ledger, as_of, session)
    if excluded:
        keep = pc.invert(pc.is_in(items["customer_id"], value_set=pa.array(sorted(excluded), pa.string())))
        items = items.filter(keep)
    connection = duckdb.connect(config={"threads": 1})  # one thread: float sums in a fixed order
    try:
        connection.register("items", items)
        rows = connection.execute(PRIORITY_SQL, [limit, offset]).fetchall()
    finally:
        connection.close()
    repository = ForesightRepository(session)
    names = repository.customer_names()
    segments = repository.scores(as_of)
    return [
        CustomerPriority(
            customer_id,
            names[customer_id][1],
            from_cents(round(value)),
            from_cents(int(open_cents)),
            from_cents(int(overdue)),
            int(max_overdue),
            int(n),
            segments[customer_id].segment if customer_id in segments else None,
            tuple(invoices),
        )
        for customer_id, value, open_cents, overdue, max_overdue, n, invoices in rows
    ]
