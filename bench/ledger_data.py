"""Seeded, vectorised ledgers for the benchmarks: Arrow tables named like the ledger tables.

A few hundred thousand customers and millions of entries in a second or two, so the
benchmarks measure the analytics and not the generator. The mix follows what a real
receivable ledger holds at a date: open invoices (some partly paid), invoices paid in full,
open credit notes, unapplied payments, allocations dated after the view date, and a few
entries issued after it.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pyarrow as pa

AS_OF = dt.date(2026, 10, 31)
EPOCH = dt.date(1970, 1, 1)
CURRENCIES = ["EUR", "USD"]
KINDS = ["invoice", "credit_note", "payment"]
INVOICE, CREDIT_NOTE, PAYMENT = 0, 1, 2


class BenchLedger(NamedTuple):
    customers: pa.Table  # id, customer_id, name
    entries: pa.Table  # id, customer_pk, kind, date, due_date, amount_cents, currency, disputed
    allocations: pa.Table  # id, credit_entry_id, debit_entry_id, amount_cents, date, origin
    as_of: dt.date

    def tables(self) -> dict[str, pa.Table]:
        return {"customers": self.customers, "entries": self.entries, "allocations": self.allocations}


def _days(day: dt.date) -> int:
    return (day - EPOCH).days


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.date32())


def _labels(codes: np.ndarray, names: list[str]) -> pa.Array:
    indices = pa.array(codes.astype(np.int8))
    return pa.DictionaryArray.from_arrays(indices, pa.array(names)).cast(pa.string())


def generate(items: int, customers: int, seed: int = 2026, as_of: dt.date = AS_OF) -> BenchLedger:
    """About ``items`` items open at ``as_of`` over ``customers`` customers."""
    rng = np.random.default_rng(seed)
    customers = max(1, min(customers, items))
    today = _days(as_of)
    open_invoices = int(items * 0.80)
    credit_notes = int(items * 0.05)
    unapplied = items - open_invoices - credit_notes
    paid_invoices = int(items * 0.10)
    partial = int(open_invoices * 0.25)
    future = max(1, items // 100)

    # documents and unapplied payments -------------------------------------------------
    n_inv = open_invoices + paid_invoices + future
    kind = np.concatenate(
        [
            np.full(n_inv, INVOICE),
            np.full(credit_notes, CREDIT_NOTE),
            np.full(unapplied, PAYMENT),
        ]
    )
    n_docs = len(kind)
    customer_pk = rng.integers(1, customers + 1, n_docs)
    date = today - rng.integers(0, 730, n_docs)
    date[open_invoices + paid_invoices : n_inv] = today + rng.integers(1, 60, future)  # after as_of
    terms = rng.choice(np.array([0, 30, 45, 60]), n_docs, p=[0.05, 0.55, 0.2, 0.2])
    due = np.where(kind == INVOICE, date + terms, date)
    cents = (rng.lognormal(11.0, 1.2, n_docs)).astype(np.int64) + 100
    amount = np.where(kind == INVOICE, cents, -cents)
    disputed = (kind == INVOICE) & (rng.random(n_docs) < 0.02)

    # payments allocated to invoices: partial ones on open invoices, full ones on paid ------
    partial_inv = rng.choice(open_invoices, partial, replace=False)
    paid_inv = np.arange(open_invoices, open_invoices + paid_invoices)
    settled_inv = np.concatenate([partial_inv, paid_inv])
    fraction = np.concatenate([rng.uniform(0.1, 0.9, partial), np.ones(paid_invoices)])
    pay_cents = np.maximum(1, (amount[settled_inv] * fraction).astype(np.int64))
    pay_date = date[settled_inv] + rng.integers(0, 120, len(settled_inv))
    n_pay = len(settled_inv)

    doc_ids = np.arange(1, n_docs + 1, dtype=np.int64)
    pay_ids = np.arange(n_docs + 1, n_docs + n_pay + 1, dtype=np.int64)
    usd = np.concatenate([customer_pk, customer_pk[settled_inv]]) % 25 == 0
    entries = pa.table(
        {
            "id": np.concatenate([doc_ids, pay_ids]),
            "customer_pk": np.concatenate([customer_pk, customer_pk[settled_inv]]).astype(np.int32),
            "kind": _labels(np.concatenate([kind, np.full(n_pay, PAYMENT)]), KINDS),
            "date": _dates(np.concatenate([date, pay_date])),
            "due_date": _dates(np.concatenate([due, pay_date])),
            "amount_cents": np.concatenate([amount, -pay_cents]),
            "currency": _labels(usd, CURRENCIES),
            "disputed": np.concatenate([disputed, np.zeros(n_pay, dtype=bool)]),
        }
    )
    allocations = pa.table(
        {
            "id": np.arange(1, n_pay + 1, dtype=np.int64),
            "credit_entry_id": pay_ids,
            "debit_entry_id": doc_ids[settled_inv],
            "amount_cents": pay_cents,
            "date": _dates(pay_date),
            "origin": _labels(np.zeros(n_pay, dtype=np.int8), ["import"]),
        }
    )
    pks = np.arange(1, customers + 1)
    ids = np.char.add("C", np.char.zfill(pks.astype(str), 7))
    customer_table = pa.table(
        {
            "id": pks.astype(np.int32),
            "customer_id": pa.array(ids.tolist()),
            "name": pa.array(np.char.add("Client ", ids).tolist()),
        }
    )
    return BenchLedger(customer_table, entries, allocations, as_of)
