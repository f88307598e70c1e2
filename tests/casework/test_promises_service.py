"""Promises to pay through the service: pause, kept, broken → alert, task and resumption."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.casework.conftest import D, payment, store

from encours.audit.service import events
from encours.casework import promises, tasks
from encours.casework.errors import CaseworkError, NotFound
from encours.casework.suppression import dunning_suppressions, refresh
from encours.domain.promises import PromiseStatus
from encours.domain.records import Allocation

MADE = D(2026, 3, 15)


def promise_a3(session: Session, amount: str = "3000.00") -> promises.Promise:
    return promises.make_promise(
        session, "ACME", Decimal(amount), D(2026, 3, 20), invoices=["A3"], actor="ana", made_on=MADE
    )


def pay_a3(url: str, day: D, amount: str, number: str = "PA3") -> None:
    store(
        url,
        [payment(number, "ACME", day, amount)],
        [Allocation(f"pay:{number}", "doc:A3", Decimal(amount), day)],
    )


def test_promise_kept_when_paid_within_grace(ledger_url: str, session: Session) -> None:
    made = promise_a3(session)
    assert (made.honour_by, made.status, made.entry_keys, made.currency) == (
        D(2026, 3, 23),
        "open",
        ("doc:A3",),
        "EUR",
    )
    session.commit()
    pay_a3(ledger_url, D(2026, 3, 22), "3000.00")
    assert refresh(session, D(2026, 3, 21)) is None
    assert promises.get_promise(session, made.promise_id).status == "open"  # not paid yet on the 21st
    [outcome] = promises.evaluate_promises(session, D(2026, 3, 22), "system")
    assert (outcome.status, outcome.paid) == (PromiseStatus.KEPT, Decimal("3000.00"))
    assert promises.evaluate_promises(session, D(2026, 3, 30), "system") == []  # settled once
    assert [e.action for e in events(session, "ACME")][:2] == ["promise.kept", "promise.made"]
    assert tasks.list_tasks(session) == []


def test_broken_promise_resumes_reminders_with_an_alert(ledger_url: str, session: Session) -> None:
    made = promise_a3(session)
    session.commit()
    pay_a3(ledger_url, D(2026, 3, 23), "2000.00")  # part of it, on the last day of grace
    assert dunning_suppressions(session, D(2026, 3, 23)).promised_until == {"doc:A3": D(2026, 3, 23)}
    refresh(session, D(2026, 3, 23))
    assert promises.get_promise(session, made.promise_id).status == "open"
    refresh(session, D(2026, 3, 24), actor="nightly")
    broken = promises.get_promise(session, made.promise_id)
    assert (broken.status, broken.paid, broken.evaluated_on) == ("broken", Decimal("2000.00"), D(2026, 3, 24))
    assert dunning_suppressions(session, D(2026, 3, 24)).promised_until == {}
    alert = next(e for e in events(session, "ACME") if e.action == "promise.broken")
    assert (alert.actor, alert.subject, alert.details["paid"]) == (
        "nightly",
        f"promise:{made.promise_id}",
        "2000.00",
    )
    [task] = tasks.list_tasks(session, customer_id="ACME")
    assert (task.kind, task.source, task.due_date, task.assignee) == (
        "call",
        "promise",
        D(2026, 3, 24),
        None,  # rita, the imported sales rep, is not a user of Encours
    )
    assert task.entry_keys == ("doc:A3",)
    refresh(session, D(2026, 3, 25), actor="nightly")  # no second alert or task
    assert len(tasks.list_tasks(session, customer_id="ACME")) == 1
    assert sum(e.action == "promise.broken" for e in events(session, "ACME")) == 1


def test_payment_outside_the_window_does_not_count(sqlite_ledger: str, sqlite_session: Session) -> None:
    ledger_url, session = sqlite_ledger, sqlite_session
    made = promise_a3(session, "500.00")
    session.commit()
    pay_a3(ledger_url, D(2026, 3, 14), "500.00")  # the day before the promise
    [outcome] = promises.evaluate_promises(session, D(2026, 3, 24), "system")
    assert (outcome.promise_id, outcome.status, outcome.paid) == (
        made.promise_id,
        PromiseStatus.BROKEN,
        Decimal(0),
    )


def test_promise_on_account_counts_every_payment(sqlite_ledger: str, sqlite_session: Session) -> None:
    ledger_url, session = sqlite_ledger, sqlite_session
    promises.make_promise(
        session, "GAMMA", Decimal("600.00"), D(2026, 3, 31), actor="ana", made_on=D(2026, 3, 1)
    )
    session.commit()
    store(ledger_url, [payment("PD2", "GAMMA", D(2026, 3, 30), "300.00")])
    # PD1 (300.00 on 10 March, unapplied) and PD2 make the 600.00
    [outcome] = promises.evaluate_promises(session, D(2026, 3, 31), "system")
    assert (outcome.status, outcome.paid) == (PromiseStatus.KEPT, Decimal("600.00"))


def test_unapplied_payment_counts_for_a_promise_on_invoices(
    sqlite_ledger: str, sqlite_session: Session
) -> None:
    ledger_url, session = sqlite_ledger, sqlite_session
    promise_a3(session, "1000.00")
    session.commit()
    store(ledger_url, [payment("PX", "ACME", D(2026, 3, 18), "1000.00")])  # not matched to A3 yet
    [outcome] = promises.evaluate_promises(session, D(2026, 3, 18), "system")
    assert (outcome.status, outcome.paid) == (PromiseStatus.KEPT, Decimal("1000.00"))


@pytest.mark.parametrize(
    ("customer", "amount", "date", "invoices", "field"),
    [
        ("NOPE", "10", D(2026, 3, 20), [], "customer"),
        ("ACME", "0", D(2026, 3, 20), [], "amount"),
        ("ACME", "-5", D(2026, 3, 20), [], "amount"),
        ("ACME", "1.001", D(2026, 3, 20), [], "amount"),
        ("ACME", "10", D(2026, 3, 14), [], "promised_date"),
        ("ACME", "10", D(9999, 12, 31), [], "promised_date"),  # beyond a year
        ("ACME", "99999999", D(2026, 3, 20), ["A3"], "amount"),  # above balance + penalties
        ("ACME", "10", D(2026, 3, 20), ["C1"], "invoice"),  # BETA's invoice
        ("ACME", "10", D(2026, 3, 20), ["PA1"], "invoice"),  # a payment
        ("ACME", "10", D(2026, 3, 20), ["ZZZ"], "invoice"),
    ],
)
def test_bad_promises_are_refused(
    sqlite_session: Session, customer: str, amount: str, date: D, invoices: list[str], field: str
) -> None:
    session = sqlite_session
    with pytest.raises(CaseworkError) as caught:
        promises.make_promise(
            session, customer, Decimal(amount), date, invoices=invoices, actor="ana", made_on=MADE
        )
    assert caught.value.field == field
    assert promises.list_promises(session) == []


def test_cancel(sqlite_session: Session) -> None:
    session = sqlite_session
    made = promise_a3(session)
    promises.cancel_promise(session, made.promise_id, "ana", "customer changed its mind")
    assert dunning_suppressions(session, MADE).promised_until == {}
    with pytest.raises(CaseworkError):
        promises.cancel_promise(session, made.promise_id, "ana")
    with pytest.raises(NotFound):
        promises.get_promise(session, 999)


def test_a_promise_naming_no_invoice_covers_every_open_one_and_pauses_them(sqlite_session: Session) -> None:
    session = sqlite_session
    made = promises.make_promise(session, "BETA", Decimal("1500.00"), D(2026, 3, 20), actor="ana", as_of=MADE)
    assert made.entry_keys == ("doc:C1",)  # C2 is disputed: not owed, not covered
    assert made.made_on == MADE
    found = dunning_suppressions(session, MADE)
    assert found.promised_until == {"doc:C1": D(2026, 3, 23)}


def test_a_promised_amount_is_at_most_the_balance_plus_penalties(sqlite_session: Session) -> None:
    session = sqlite_session
    # ACME owes A2 (800.00, late since 3 March) and A3 (3000.00, not due) on 15 March
    with pytest.raises(CaseworkError) as caught:
        promises.make_promise(session, "ACME", Decimal("99999999"), D(2026, 3, 20), actor="ana", as_of=MADE)
    assert caught.value.field == "amount"
    assert "open balance 3800.00 EUR" in str(caught.value)
    with_penalties = promises.make_promise(
        session, "ACME", Decimal("3840.00"), D(2026, 3, 20), actor="ana", as_of=MADE
    )
    assert with_penalties.entry_keys == ("doc:A2", "doc:A3")


def test_promise_dates_follow_the_business_date_not_the_clock(sqlite_session: Session) -> None:
    session = sqlite_session
    as_of = D(2026, 3, 15)  # long before the machine's date: still the day the promise is made
    made = promises.make_promise(
        session, "ACME", Decimal("100"), D(2026, 3, 16), invoices=["A3"], actor="ana", as_of=as_of
    )
    assert made.made_on == as_of
    recorded_late = promises.make_promise(
        session, "ACME", Decimal("100"), D(2026, 3, 12), invoices=["A3"], actor="ana",
        as_of=as_of, made_on=D(2026, 3, 8),
    )  # fmt: skip
    assert recorded_late.made_on == D(2026, 3, 8)
    for kwargs, field in (
        ({"made_on": D(2026, 3, 16)}, "made_on"),  # after the business date
        ({"promised": D(2027, 3, 20)}, "promised_date"),  # more than a year ahead
    ):
        with pytest.raises(CaseworkError) as caught:
            promises.make_promise(
                session, "ACME", Decimal("100"), kwargs.get("promised", D(2026, 3, 20)), invoices=["A3"],
                actor="ana", as_of=as_of, made_on=kwargs.get("made_on"),
            )  # fmt: skip
        assert caught.value.field == field
