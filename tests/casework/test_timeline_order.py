"""The customer timeline follows business dates, not the machine's clock."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session
from tests.casework.conftest import D

from encours.audit.service import record
from encours.casework import promises
from encours.casework.timeline import timeline


def test_dunning_events_and_promises_sit_on_their_business_dates(sqlite_session: Session) -> None:
    session = sqlite_session
    # a run --as-of 2026-02-25 written today (the machine's clock is months later)
    record(session, "system", "dunning.sent", customer_id="ACME", subject="action:1",
           details={"step": "reminder", "as_of": "2026-02-25", "invoice_ids": ["A2"]})  # fmt: skip
    promises.make_promise(session, "ACME", Decimal("800"), D(2026, 3, 20), invoices=["A2"], actor="ana",
                          as_of=D(2026, 3, 15))  # fmt: skip
    items = [(i.day, i.kind, i.event) for i in timeline(session, "ACME")]
    assert items == sorted(items, key=lambda i: i[0])
    assert (D(2026, 2, 25), "dunning", "sent") in items
    assert (D(2026, 3, 15), "promise", "made") in items
    kinds = [k for _, k, _ in items]
    assert kinds.index("dunning") < kinds.index("promise")  # the run came before the promise
    assert items[-1][1] == "promise"  # nothing of the ledger is later than 15 March
