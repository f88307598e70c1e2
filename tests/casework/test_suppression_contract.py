"""The contract the dunning engine reads: disputes, pauses, promises, plans, instalments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session
from tests.casework.conftest import D, payment, store

from encours.casework import disputes, holds, plans, promises
from encours.casework.suppression import Suppressions, dunning_suppressions
from encours.domain.records import Allocation


def test_empty_casework_suppresses_only_ledger_disputes(sqlite_session: Session) -> None:
    session = sqlite_session
    found = dunning_suppressions(session, D(2026, 3, 15))
    assert isinstance(found, Suppressions)
    assert found == Suppressions({"doc:C2"}, set(), {}, set(), [])


def test_every_kind_of_suppression_is_reported(session: Session) -> None:
    as_of = D(2026, 3, 15)
    disputes.open_dispute(session, "ACME", "A2", reason="goods damaged", actor="ana", opened_on=as_of)
    holds.place_hold(session, "GAMMA", "pause", actor="ana", start_date=as_of, end_date=D(2026, 3, 31))
    holds.place_hold(session, "ACME2", "litigation", actor="ana", start_date=D(2026, 3, 1))
    promises.make_promise(
        session, "ACME", Decimal("3000.00"), D(2026, 3, 20), invoices=["A3"], actor="ana", made_on=as_of
    )
    plan = plans.create_plan(
        session, "BETA", ["C1"], start_date=D(2026, 3, 1), count=3, first_due=D(2026, 3, 18), actor="ana"
    )
    found = dunning_suppressions(session, as_of)
    assert found.disputed_entry_keys == {"doc:C2", "doc:A2"}
    assert found.paused_customer_ids == {"GAMMA", "ACME2"}
    assert found.promised_until == {"doc:A3": D(2026, 3, 23)}  # 20 March + 3 days of grace
    assert found.plan_entry_keys == {"doc:C1"}
    [due] = found.due_instalments
    assert (due.plan_id, due.customer_id, due.seq, due.instalment_count) == (plan.plan_id, "BETA", 1, 3)
    assert (due.due_date, due.amount, due.remaining, due.days_past_due) == (
        D(2026, 3, 18),
        Decimal("500.00"),
        Decimal("500.00"),
        -3,
    )
    assert due.entry_keys == ("doc:C1",)


def test_windows_end(sqlite_session: Session) -> None:
    """A pause past its end, a promise past its grace: suppression stops by itself."""
    session = sqlite_session
    holds.place_hold(
        session, "GAMMA", "pause", actor="ana", start_date=D(2026, 3, 1), end_date=D(2026, 3, 10)
    )
    promises.make_promise(
        session,
        "ACME",
        Decimal("100.00"),
        D(2026, 3, 20),
        invoices=["A3"],
        actor="ana",
        made_on=D(2026, 3, 1),
    )
    assert dunning_suppressions(session, D(2026, 3, 10)).paused_customer_ids == {"GAMMA"}
    later = dunning_suppressions(session, D(2026, 3, 24))
    assert later.paused_customer_ids == set()
    assert later.promised_until == {}
    assert dunning_suppressions(session, D(2026, 3, 23)).promised_until == {"doc:A3": D(2026, 3, 23)}


def test_resolved_dispute_and_released_hold_no_longer_suppress(sqlite_session: Session) -> None:
    session = sqlite_session
    as_of = D(2026, 3, 15)
    dispute = disputes.open_dispute(session, "ACME", "A2", reason="price", actor="ana", opened_on=as_of)
    holds.place_hold(session, "GAMMA", "agency", actor="ana", start_date=as_of)
    disputes.resolve_dispute(session, dispute.dispute_id, resolution="price confirmed", actor="bob")
    holds.release_hold(session, "GAMMA", "agency", actor="bob")
    found = dunning_suppressions(session, as_of)
    assert found.disputed_entry_keys == {"doc:C2"}
    assert found.paused_customer_ids == set()


def test_instalment_reminders_follow_payments(ledger_url: str, session: Session) -> None:
    plan = plans.create_plan(
        session, "BETA", ["C1"], start_date=D(2026, 3, 1), count=3, first_due=D(2026, 3, 18), actor="ana"
    )
    session.commit()
    store(
        ledger_url,
        [payment("PC1", "BETA", D(2026, 3, 17), "500.00")],
        [Allocation("pay:PC1", "doc:C1", Decimal("500.00"), D(2026, 3, 17))],
    )
    session.expire_all()
    assert dunning_suppressions(session, D(2026, 3, 18)).due_instalments == []
    [second] = dunning_suppressions(session, D(2026, 4, 14)).due_instalments
    assert (second.plan_id, second.seq, second.due_date) == (plan.plan_id, 2, D(2026, 4, 18))
    assert dt.date(2026, 4, 14) - second.due_date == dt.timedelta(days=second.days_past_due)
