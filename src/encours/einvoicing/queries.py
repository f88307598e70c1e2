"""Read functions for screens: what the lifecycle says about a customer's invoices."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.einvoicing.models import StandingRow, StatusRow
from encours.einvoicing.statuses import Standing


class CustomerLifecycle(NamedTuple):
    standings: dict[int, Standing]  # entry id -> why the invoice is out of dunning
    codes: dict[str, int]  # timeline reference (``einvoice:<id>``) -> status code


def customer_lifecycle(session: Session, customer_pk: int) -> CustomerLifecycle:
    statuses = session.execute(
        select(StatusRow.id, StatusRow.entry_id, StatusRow.code).where(StatusRow.customer_pk == customer_pk)
    ).all()
    entries = sorted({entry_id for _, entry_id, _ in statuses})
    standings = (
        {
            entry_id: Standing(value)
            for entry_id, value in session.execute(
                select(StandingRow.entry_id, StandingRow.standing).where(StandingRow.entry_id.in_(entries))
            )
        }
        if entries
        else {}
    )
    return CustomerLifecycle(standings, {f"einvoice:{sid}": code for sid, _, code in statuses})
