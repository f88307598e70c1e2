"""A synthetic ledger shaped like the public IBM "Accounts Receivable" data set.

2.5k invoices of 100 customers over two years, net 30, about a fifth disputed, every
invoice settled in one payment. Each customer has its own days-to-settle level and spread;
disputes delay payment by one to two weeks; a paperless flag (not in the ledger, so noise
to the model) speeds some customers up. Used to develop and report backtest figures, since
the real file is held back.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from encours.demo.generator import DemoLedger
from encours.domain.money import round_cents
from encours.domain.records import Allocation, Customer, Entry, EntryKind


def generate_ar(
    seed: int = 1,
    customers: int = 100,
    invoices: int = 2500,
    start: dt.date = dt.date(2012, 1, 1),
    spread: tuple[float, float] = (2.5, 8.5),
) -> DemoLedger:
    """``spread``: range of the customers' day-to-day noise (days); the default matches the
    published customer-median baseline of the real file (MAE about 6 days)."""
    rng = random.Random(seed)
    people = []
    profiles = []
    for number in range(1, customers + 1):
        customer = Customer(customer_id=f"AR{number:04d}", name=f"Customer {number}", payment_terms_days=30)
        people.append(customer)
        level = min(max(rng.gauss(27, 7), 8), 50)  # days to settle
        noise = rng.uniform(*spread)
        dispute = min(max(rng.betavariate(1.2, 4.0), 0.0), 0.9)
        paperless_from = start + dt.timedelta(days=rng.randrange(0, 900))
        drift = rng.gauss(0, 3)  # change of level over the two years
        weight = rng.lognormvariate(0, 0.6)
        profiles.append((customer, level, noise, dispute, paperless_from, drift, weight))
    total_weight = sum(p[-1] for p in profiles)
    entries: list[Entry] = []
    allocations: list[Allocation] = []
    number = 0
    span = 730
    for customer, level, noise, dispute, paperless_from, drift, weight in profiles:
        count = max(3, round(invoices * weight / total_weight))
        for _ in range(count):
            number += 1
            issue = start + dt.timedelta(days=rng.randrange(0, span))
            due = issue + dt.timedelta(days=30)
            amount = round_cents(Decimal(str(round(rng.uniform(5, 130), 2))))
            disputed = rng.random() < dispute
            paperless = issue >= paperless_from
            days = level + drift * (issue - start).days / span + rng.gauss(0, noise)
            days += rng.uniform(7, 16) if disputed else 0.0
            days -= 2.5 if paperless else 0.0
            days += 0.02 * float(amount) - 1.3
            days += 3 if due.weekday() >= 5 else 0
            settle = issue + dt.timedelta(days=max(0, round(days)))
            invoice = Entry(
                key=f"doc:I{number:06d}", customer_id=customer.customer_id, kind=EntryKind.INVOICE,
                reference=f"I{number:06d}", date=issue, due_date=due, amount=amount, disputed=disputed,
            )  # fmt: skip
            payment = Entry(
                key=f"pay:P{number:06d}", customer_id=customer.customer_id, kind=EntryKind.PAYMENT,
                reference=f"P{number:06d}", date=settle, due_date=settle, amount=-amount,
            )  # fmt: skip
            entries += [invoice, payment]
            allocations.append(Allocation(payment.key, invoice.key, amount, settle))
    return DemoLedger(tuple(people), tuple(entries), tuple(allocations), {})
