"""Credit limits per customer and per SIREN group, exposure with open orders, alerts and holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.casework.conftest import D, store
from tests.conftest import DEMO_UNTIL

from encours.audit.service import events
from encours.casework import credit_limits, holds
from encours.casework.errors import CaseworkError
from encours.demo.generator import DemoLedger
from encours.storage.database import get_engine, unit_of_work

AS_OF = D(2026, 3, 15)
GROUP = "732829320"  # ACME and ACME2


def test_customer_exposure_and_alerts(session: Session) -> None:
    positions = {c.customer_id: c.position for c in credit_limits.customer_positions(session, AS_OF)}
    assert {k: p.outstanding for k, p in positions.items()} == {
        "ACME": Decimal("3800.00"),  # A2 + A3, A1 paid
        "ACME2": Decimal("5000.00"),
        "BETA": Decimal("2100.00"),  # the disputed C2 is still owed
        "GAMMA": Decimal("600.00"),  # D1 less the unapplied PD1
    }
    [beta] = credit_limits.credit_alerts(session, AS_OF)
    assert (beta.scope, beta.key, beta.exposure, beta.limit, beta.excess) == (
        "customer",
        "BETA",
        Decimal("2100.00"),
        Decimal("1000.00"),
        Decimal("1100.00"),
    )
    # before the invoices were issued there is nothing to alert about
    assert credit_limits.credit_alerts(session, D(2025, 12, 31)) == []


def test_open_orders_count_in_exposure(sqlite_session: Session) -> None:
    session = sqlite_session
    credit_limits.set_open_orders(session, "GAMMA", Decimal("4400.00"), actor="carl")
    assert not credit_limits.credit_status(session, "GAMMA", AS_OF).exceeded  # 5000.00 = limit
    credit_limits.set_open_orders(session, "GAMMA", Decimal("4400.01"), actor="carl")
    status = credit_limits.credit_status(session, "GAMMA", AS_OF)
    assert (status.customer.position.exposure, status.exceeded, status.group) == (
        Decimal("5000.01"),
        True,
        None,
    )
    assert [a.key for a in credit_limits.credit_alerts(session, AS_OF)] == ["BETA", "GAMMA"]


def test_group_limit_over_companies_sharing_a_siren(session: Session) -> None:
    credit_limits.set_group_limit(session, "732 829 320", Decimal("8000.00"), actor="carl")
    status = credit_limits.credit_status(session, "ACME", AS_OF)
    assert not status.customer.position.exceeded  # 3800.00 within ACME's own 10000.00
    assert status.group is not None
    assert (status.group.siren, status.group.customer_ids) == (GROUP, ("ACME", "ACME2"))
    assert (status.group.position.exposure, status.group.position.available) == (
        Decimal("8800.00"),
        Decimal("-800.00"),
    )
    assert status.exceeded
    alerts = {(a.scope, a.key): a for a in credit_limits.credit_alerts(session, AS_OF)}
    assert set(alerts) == {("customer", "BETA"), ("group", GROUP)}
    assert alerts[("group", GROUP)].excess == Decimal("800.00")
    assert alerts[("group", GROUP)].name == "Acme SA, Acme Services"
    # ACME2 has no limit of its own but sees its group's
    assert credit_limits.credit_status(session, "ACME2", AS_OF).exceeded
    credit_limits.set_group_limit(session, GROUP, None, actor="carl")
    assert not credit_limits.credit_status(session, "ACME2", AS_OF).exceeded


def test_hold_exceeded_flags_every_customer_concerned(sqlite_session: Session) -> None:
    session = sqlite_session
    credit_limits.set_group_limit(session, GROUP, Decimal("8000.00"), actor="carl")
    assert credit_limits.hold_exceeded(session, AS_OF, actor="carl") == ["ACME", "ACME2", "BETA"]
    assert credit_limits.hold_exceeded(session, AS_OF, actor="carl") == []  # already held
    assert credit_limits.credit_status(session, "ACME2", AS_OF).credit_hold
    assert all(a.credit_hold for a in credit_limits.credit_alerts(session, AS_OF))
    assert not holds.customer_status(session, "ACME2", AS_OF).paused  # a credit hold does not stop dunning
    assert "hold.credit_hold.placed" in [e.action for e in events(session, "ACME2")]


def test_customer_limit_changes_are_audited(sqlite_session: Session) -> None:
    session = sqlite_session
    credit_limits.set_customer_limit(session, "BETA", Decimal("2500"), actor="carl")
    assert credit_limits.credit_alerts(session, AS_OF) == []
    credit_limits.set_customer_limit(session, "BETA", None, actor="carl")
    assert credit_limits.credit_status(session, "BETA", AS_OF).customer.position.limit is None
    [cleared, raised] = [e for e in events(session, "BETA") if e.action == "credit.limit_set"]
    assert (raised.details, cleared.details) == (
        {"from": "1000.00", "to": "2500.00"},
        {"from": "2500.00", "to": None},
    )
    assert cleared.actor == "carl"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: credit_limits.set_group_limit(s, "123456789", Decimal(1), actor="x"), "siren"),
        (lambda s: credit_limits.set_group_limit(s, GROUP, Decimal(-1), actor="x"), "limit"),
        (lambda s: credit_limits.set_group_limit(s, GROUP, None, actor="x"), "siren"),
        (lambda s: credit_limits.set_customer_limit(s, "NOPE", Decimal(1), actor="x"), "customer"),
        (lambda s: credit_limits.set_open_orders(s, "ACME", Decimal("0.001"), actor="x"), "amount"),
    ],
)
def test_bad_credit_input(sqlite_session: Session, call: object, field: str) -> None:
    with pytest.raises(CaseworkError) as caught:
        call(sqlite_session)  # type: ignore[operator]
    assert caught.value.field == field


def test_one_customer_and_all_customers_agree_on_the_demo_ledger(
    db_url: str, demo_ledger: DemoLedger
) -> None:
    """The per-customer query (indexes) and the set-wise one (open-items CTE) give the same exposure."""
    store(db_url, demo_ledger.entries, demo_ledger.allocations, demo_ledger.customers)
    with unit_of_work(get_engine(db_url)) as session:
        for as_of in (DEMO_UNTIL - dt.timedelta(days=400), DEMO_UNTIL):
            every = {c.customer_id: c for c in credit_limits.customer_positions(session, as_of)}
            assert len(every) == len(demo_ledger.customers)
            assert any(c.position.outstanding != 0 for c in every.values())
            for customer_id, expected in every.items():
                assert credit_limits.customer_positions(session, as_of, customer_id=customer_id) == [expected]
