"""Settlement outcomes: the day allocations brought the open amount to zero, or censored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from tests.foresight.conftest import load_ledger, read

from encours.demo.generator import DemoLedger
from encours.domain.records import Allocation, Customer, Entry, EntryKind
from encours.foresight.history import NEVER, day_number, open_cents

D = dt.date


def entry(
    key: str, kind: EntryKind, day: D, amount: str, due: D | None = None, disputed: bool = False
) -> Entry:
    return Entry(key, "C1", kind, key.split(":")[1], day, due or day, Decimal(amount), disputed=disputed)


def small_ledger() -> DemoLedger:
    entries = (
        entry("doc:F1", EntryKind.INVOICE, D(2024, 1, 1), "100.00", D(2024, 1, 31)),
        entry("doc:F2", EntryKind.INVOICE, D(2024, 1, 5), "200.00", D(2024, 2, 4), disputed=True),
        entry("doc:F3", EntryKind.INVOICE, D(2024, 1, 9), "50.00", D(2024, 2, 8)),
        entry("pay:P1", EntryKind.PAYMENT, D(2024, 2, 1), "-60.00"),
        entry("pay:P2", EntryKind.PAYMENT, D(2024, 2, 20), "-40.00"),
        entry("pay:P3", EntryKind.PAYMENT, D(2024, 2, 10), "-150.00"),
        entry("doc:A1", EntryKind.CREDIT_NOTE, D(2024, 2, 15), "-50.00"),
    )
    allocations = (
        Allocation("pay:P1", "doc:F1", Decimal("60.00"), D(2024, 2, 1)),
        Allocation("pay:P2", "doc:F1", Decimal("40.00"), D(2024, 2, 20)),
        Allocation("pay:P3", "doc:F2", Decimal("150.00"), D(2024, 2, 10)),
        Allocation("doc:A1", "doc:F3", Decimal("50.00"), D(2024, 2, 15)),
    )
    return DemoLedger((Customer("C1", "Client"),), entries, allocations, {})


def test_settlement_day_partial_payments_and_censoring(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    load_ledger(url, small_ledger())
    ledger = read(url)
    h = ledger.history
    by_id = {str(i): n for n, i in enumerate(h.invoice_id)}
    assert sorted(by_id) == ["F1", "F2", "F3"]  # credit notes and payments are not invoices
    f1, f2, f3 = by_id["F1"], by_id["F2"], by_id["F3"]
    assert h.settled[f1] == day_number(D(2024, 2, 20))  # the second payment completed it
    assert h.first_alloc[f1] == day_number(D(2024, 2, 1))
    assert h.settled[f2] == NEVER and h.disputed[f2]  # partly paid, still open: censored
    assert h.settled[f3] == day_number(D(2024, 2, 15))  # a credit note settles too
    opened = open_cents(h, ledger.allocations, day_number(D(2024, 2, 10)))
    assert (opened[f1], opened[f2], opened[f3]) == (4000, 5000, 5000)
    cash = ledger.allocations.is_payment
    assert cash.sum() == 3  # the credit-note allocation is not cash
