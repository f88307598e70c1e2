"""Payment plans through the service: schedule, instalments kept / broken, reminders replaced."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.casework.conftest import D, payment, store

from encours.audit.service import events
from encours.casework import plans, tasks
from encours.casework.errors import CaseworkError
from encours.casework.suppression import dunning_suppressions, refresh
from encours.domain.plans import InstalmentStatus, PlanStatus
from encours.domain.records import Allocation

START = D(2026, 3, 1)


def pay_beta(url: str, number: str, day: D, amount: str, invoice: str | None = "C1") -> None:
    allocations = (
        [] if invoice is None else [Allocation(f"pay:{number}", f"doc:{invoice}", Decimal(amount), day)]
    )
    store(url, [payment(number, "BETA", day, amount)], allocations)


def three_instalments(session: Session) -> plans.Plan:
    return plans.create_plan(
        session,
        "BETA",
        ["C1"],
        start_date=START,
        count=3,
        first_due=D(2026, 3, 15),
        actor="ana",
        grace_days=2,
    )


def test_plan_instalments_kept_then_broken(ledger_url: str, session: Session) -> None:
    plan = three_instalments(session)
    assert [(i.due_date, i.amount) for i in plan.instalments] == [
        (D(2026, 3, 15), Decimal("500.00")),
        (D(2026, 4, 15), Decimal("500.00")),
        (D(2026, 5, 15), Decimal("500.00")),
    ]
    session.commit()
    pay_beta(ledger_url, "PC1", D(2026, 3, 16), "500.00")  # late, within the 2 days of grace
    refresh(session, D(2026, 3, 31))
    kept = plans.get_plan(session, plan.plan_id)
    assert [i.status for i in kept.instalments] == [InstalmentStatus.KEPT, "pending", "pending"]
    assert kept.instalments[0].settled_on == D(2026, 3, 16)
    assert dunning_suppressions(session, D(2026, 3, 31)).plan_entry_keys == {"doc:C1"}
    # the second instalment is not paid: broken on 18 April, the plan with it
    refresh(session, D(2026, 4, 17))
    assert plans.get_plan(session, plan.plan_id).status == PlanStatus.ACTIVE
    refresh(session, D(2026, 4, 18), actor="nightly")
    broken = plans.get_plan(session, plan.plan_id)
    assert (broken.status, broken.closed_on) == ("broken", D(2026, 4, 18))
    assert [i.status for i in broken.instalments] == ["kept", "broken", "pending"]
    found = dunning_suppressions(session, D(2026, 4, 18))
    assert (found.plan_entry_keys, found.due_instalments) == (set(), [])  # ordinary reminders resume
    actions = [e.action for e in events(session, "BETA")]
    assert {"plan.created", "plan.instalment_kept", "plan.instalment_broken", "plan.broken"} <= set(actions)
    [task] = tasks.list_tasks(session, customer_id="BETA")
    assert (task.source, task.kind, task.entry_keys) == ("plan", "call", ("doc:C1",))
    refresh(session, D(2026, 4, 19))
    assert len(tasks.list_tasks(session, customer_id="BETA", status=None)) == 1


def test_plan_completed_when_every_instalment_is_kept(sqlite_ledger: str, sqlite_session: Session) -> None:
    ledger_url, session = sqlite_ledger, sqlite_session
    plan = plans.create_plan(
        session,
        "BETA",
        ["C1", "C2"],
        start_date=START,
        actor="ana",
        instalments=[(D(2026, 3, 10), Decimal("1000.00")), (D(2026, 4, 10), Decimal("1100.00"))],
    )
    assert plan.total == Decimal("2100.00")
    session.commit()
    pay_beta(ledger_url, "P1", D(2026, 3, 5), "1500.00")
    pay_beta(ledger_url, "P2", D(2026, 4, 1), "600.00", invoice=None)  # unapplied counts toward the plan
    [outcome] = plans.evaluate_plans(session, D(2026, 4, 2))
    assert outcome.status is PlanStatus.COMPLETED
    assert [s.settled_on for s in outcome.instalments] == [D(2026, 3, 5), D(2026, 4, 1)]
    assert plans.evaluate_plans(session, D(2026, 4, 3)) == []


def test_instalment_reminders(sqlite_ledger: str, sqlite_session: Session) -> None:
    ledger_url, session = sqlite_ledger, sqlite_session
    plan = three_instalments(session)
    assert dunning_suppressions(session, D(2026, 3, 9)).due_instalments == []  # six days before
    [first] = dunning_suppressions(session, D(2026, 3, 10)).due_instalments
    assert (first.plan_id, first.seq, first.days_past_due, first.remaining) == (
        plan.plan_id,
        1,
        -5,
        Decimal("500.00"),
    )
    session.commit()
    pay_beta(ledger_url, "PC1", D(2026, 3, 12), "200.00")
    [first] = dunning_suppressions(session, D(2026, 3, 16)).due_instalments
    assert (first.seq, first.days_past_due, first.remaining, first.amount) == (
        1,
        1,
        Decimal("300.00"),
        Decimal("500.00"),
    )


def test_plan_validation(sqlite_session: Session) -> None:
    session = sqlite_session

    def refused(field: str, **kwargs: object) -> str:
        arguments: dict[str, object] = {
            "start_date": START,
            "actor": "ana",
            "count": 2,
            "first_due": D(2026, 4, 1),
        }
        arguments.update(kwargs)
        invoices = arguments.pop("invoices", ["C1"])
        with pytest.raises(CaseworkError) as caught:
            plans.create_plan(session, str(arguments.pop("customer", "BETA")), invoices, **arguments)  # type: ignore[arg-type]
        assert caught.value.field == field
        return caught.value.message

    assert "owe 1500.00" in refused("instalments", count=None, instalments=[(D(2026, 4, 1), Decimal("1000"))])
    assert "before the plan starts" in refused("instalments", first_due=D(2026, 2, 1))
    refused("instalments", count=0)
    refused("instalments", count=None)
    refused("invoices", invoices=[])
    refused("invoice", invoices=["A1"])  # ACME's
    refused("invoices", customer="ACME", invoices=["A1"])  # paid in full before the start
    refused("customer", customer="NOPE")
    assert "more than a year" in refused("instalments", start_date=D(2026, 3, 1), first_due=D(9999, 12, 31))
    assert "more than a year" in refused("instalments", first_due=D(2027, 4, 1))  # START is in March 2026
    assert "more than a year" in refused("start_date", as_of=D(2028, 1, 1))  # far from the business date
    plans.create_plan(
        session, "BETA", ["C1"], start_date=START, actor="ana", count=2, first_due=D(2026, 4, 1)
    )
    assert "already in an active payment plan" in refused("invoices")
    assert len(plans.list_plans(session)) == 1


def test_cancelled_plan_gives_invoices_back(sqlite_session: Session) -> None:
    plan = three_instalments(sqlite_session)
    plans.cancel_plan(sqlite_session, plan.plan_id, "ana", "customer paid in full elsewhere")
    found = dunning_suppressions(sqlite_session, D(2026, 3, 14))
    assert (found.plan_entry_keys, found.due_instalments) == (set(), [])
    assert plans.list_plans(sqlite_session, "BETA", "cancelled")[0].plan_id == plan.plan_id
