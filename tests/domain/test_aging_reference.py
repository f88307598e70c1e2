import datetime as dt
from decimal import Decimal

import pytest

from encours.domain.aging import age_open_items, buckets_from_bounds, parse_bounds
from encours.domain.allocation import allocate_group, apply_payment
from encours.domain.open_items import open_items
from encours.domain.records import Entry, EntryKind

D = dt.date


def inv(key: str, day: D, due: D, amount: str, customer: str = "C1") -> Entry:
    return Entry(key, customer, EntryKind.INVOICE, key, day, due, Decimal(amount))


def pay(key: str, day: D, amount: str, customer: str = "C1") -> Entry:
    return Entry(key, customer, EntryKind.PAYMENT, key, day, day, -Decimal(amount))


def test_buckets_follow_days_past_due() -> None:
    buckets = buckets_from_bounds()
    assert [b.label for b in buckets] == ["not_due", "1-30", "31-60", "61-90", "91+"]
    entries = [
        inv("a", D(2023, 5, 1), D(2023, 6, 30), "100"),  # due on D: not due
        inv("b", D(2023, 5, 1), D(2023, 6, 29), "10"),  # 1 day
        inv("c", D(2023, 4, 1), D(2023, 5, 31), "1"),  # 30 days
        inv("d", D(2023, 4, 1), D(2023, 5, 30), "2"),  # 31 days
        inv("e", D(2023, 1, 1), D(2023, 3, 31), "5"),  # 91 days
        inv("later", D(2023, 7, 1), D(2023, 7, 31), "999"),  # after D: ignored
    ]
    [balance] = age_open_items(open_items(entries, [], D(2023, 6, 30)), D(2023, 6, 30), {"C1": "Acme"})
    assert balance.rows[0].amounts == tuple(map(Decimal, ("100", "11", "2", "0", "5")))
    assert balance.total == Decimal("118")
    assert balance.overdue(balance.rows[0]) == Decimal("18")  # every bucket but not_due


def test_allocated_payment_reduces_invoice_from_its_date_and_excess_stays_unapplied() -> None:
    invoice = inv("i", D(2023, 1, 1), D(2023, 1, 31), "100")
    payment = pay("p", D(2023, 2, 10), "130")
    allocation = apply_payment(payment, invoice, Decimal(0))
    assert allocation is not None and allocation.amount == Decimal("100")
    before = open_items([invoice, payment], [allocation], D(2023, 2, 9))
    assert [(i.entry.key, i.open_amount) for i in before] == [("i", Decimal("100"))]
    after = open_items([invoice, payment], [allocation], D(2023, 2, 10))
    assert [(i.entry.key, i.open_amount) for i in after] == [("p", Decimal("-30"))]
    [balance] = age_open_items(after, D(2023, 3, 1), {})
    # an unapplied credit ages from its own date: 19 days
    assert balance.rows[0].amounts[1] == Decimal("-30")


def test_balanced_group_settles_fifo_and_unbalanced_group_stays_open() -> None:
    group = [
        inv("i1", D(2023, 1, 1), D(2023, 1, 31), "60"),
        inv("i2", D(2023, 1, 5), D(2023, 2, 4), "40"),
        pay("p1", D(2023, 2, 1), "70"),
        pay("p2", D(2023, 3, 1), "30"),
    ]
    allocations = allocate_group(group)
    assert [(a.credit_key, a.debit_key, a.amount) for a in allocations] == [
        ("p1", "i1", Decimal("60")),
        ("p1", "i2", Decimal("10")),
        ("p2", "i2", Decimal("30")),
    ]
    assert open_items(group, allocations, D(2023, 3, 1)) == []
    mid = open_items(group, allocations, D(2023, 2, 15))
    assert [(i.entry.key, i.open_amount) for i in mid] == [("i2", Decimal("30"))]  # p2 not yet received
    assert allocate_group(group[:3]) == []


def test_bucket_bounds_are_validated() -> None:
    assert [b.label for b in parse_bounds("0,15,45")] == ["not_due", "1-15", "16-45", "46+"]
    with pytest.raises(ValueError):
        parse_bounds("30,10")
