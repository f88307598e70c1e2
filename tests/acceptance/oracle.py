"""An independent oracle: a random canonical ledger, and its aged balance and KPIs computed
straight from SPEC §4-§5 in plain Python (no Encours code), to compare with the CLI's bytes."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

START = dt.date(2023, 1, 1)
BUCKETS = ["not_due", "1-30", "31-60", "61-90", "91+"]
CENT = Decimal("0.01")


@dataclass
class Ledger:
    customers: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    payments: list[dict[str, Any]]


def generate(seed: int, n_customers: int = 8, n_invoices: int = 60) -> Ledger:
    """Partial payments, overpayments, unapplied payments, credit notes, disputes, missing due
    dates, customers only in invoices, two currencies. Payments of one invoice come in date order."""
    rnd = random.Random(seed)
    customers = [
        {
            "customer_id": f"K{i:02d}",
            "name": f"Client {i}, SA" if i % 3 == 0 else f"Client {i}",
            "payment_terms_days": rnd.choice([None, 15, 45, 60]),
            "currency": rnd.choice(["EUR", "EUR", "USD"]),
        }
        for i in range(n_customers)
    ]
    strangers = [{"customer_id": f"X{i}", "payment_terms_days": None, "currency": "EUR"} for i in range(3)]
    invoices: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    for j in range(n_invoices):
        customer = rnd.choice(customers + strangers)
        issue = START + dt.timedelta(days=rnd.randint(0, 360))
        amount = Decimal(rnd.randint(1000, 500000)) / 100
        kind = "credit_note" if rnd.random() < 0.1 else "invoice"
        due = None if rnd.random() < 0.5 else issue + dt.timedelta(days=rnd.choice([0, 10, 30, 90]))
        invoice_id = f"F{j:03d}"
        invoices.append(
            {
                "invoice_id": invoice_id,
                "customer_id": customer["customer_id"],
                "issue_date": issue,
                "amount": amount,
                "due_date": due,
                "kind": kind,
                "disputed": rnd.random() < 0.1,
                "currency": customer["currency"],
            }
        )
        left, day = amount, issue
        for k in range(rnd.choice([0, 1, 1, 2]) if kind == "invoice" else 0):
            day += dt.timedelta(days=rnd.randint(0, 80))
            part = left if rnd.random() < 0.5 else (left * rnd.randint(10, 90) / 100).quantize(CENT)
            if k == 1 and rnd.random() < 0.3:
                part = left + Decimal("12.34")  # overpayment: the excess stays unapplied
            payments.append(
                {
                    "payment_id": f"P{len(payments):03d}",
                    "customer_id": customer["customer_id"],
                    "date": day,
                    "amount": part,
                    "invoice_id": invoice_id,
                    "currency": customer["currency"],
                }
            )
            left -= min(part, left)
            if left <= 0:
                break
    for k in range(6):
        customer = rnd.choice(customers)
        payments.append(
            {
                "payment_id": f"U{k:02d}",
                "customer_id": customer["customer_id"],
                "date": START + dt.timedelta(days=rnd.randint(0, 400)),
                "amount": Decimal(rnd.randint(100, 90000)) / 100,
                "invoice_id": "",
                "currency": customer["currency"],
            }
        )
    return Ledger(customers, invoices, payments)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(folder: Path, ledger: Ledger, seed: int) -> None:
    """Columns shuffled, every field quoted or not, LF or CRLF, with or without a BOM."""
    rnd = random.Random(seed)
    files = (
        ("customers.csv", ["customer_id", "name", "payment_terms_days", "currency"], ledger.customers),
        (
            "invoices.csv",
            ["invoice_id", "customer_id", "issue_date", "amount", "due_date", "kind", "disputed", "currency"],
            ledger.invoices,
        ),
        (
            "payments.csv",
            ["payment_id", "customer_id", "date", "amount", "invoice_id", "currency"],
            ledger.payments,
        ),
    )
    for name, header, rows in files:
        order = header[:]
        rnd.shuffle(order)
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            lineterminator=rnd.choice(["\n", "\r\n"]),
            quoting=rnd.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
        )
        writer.writerow(order)
        writer.writerows([_cell(row.get(column)) for column in order] for row in rows)
        data = buffer.getvalue().encode()
        (folder / name).write_bytes(b"\xef\xbb\xbf" + data if rnd.random() < 0.5 else data)


def open_items(ledger: Ledger, day: dt.date) -> list[tuple[str, str, dt.date, Decimal]]:
    """(customer, currency, aging date, open amount) of every non-zero item open at ``day``."""
    terms = {c["customer_id"]: c["payment_terms_days"] for c in ledger.customers}
    room = {i["invoice_id"]: i["amount"] for i in ledger.invoices}
    settled = {i["invoice_id"]: Decimal(0) for i in ledger.invoices}
    items = []
    for p in ledger.payments:
        applied = Decimal(0)
        if p["invoice_id"]:
            applied = min(p["amount"], room[p["invoice_id"]])
            room[p["invoice_id"]] -= applied
            if p["date"] <= day:
                settled[p["invoice_id"]] += applied
        if p["date"] <= day and p["amount"] != applied:
            items.append((p["customer_id"], p["currency"], p["date"], applied - p["amount"]))
    for i in ledger.invoices:
        if i["issue_date"] > day:
            continue
        if i["kind"] == "credit_note":
            items.append((i["customer_id"], i["currency"], i["issue_date"], -i["amount"]))
            continue
        days = terms.get(i["customer_id"]) or 30
        due = i["due_date"] or i["issue_date"] + dt.timedelta(days=days)
        if i["amount"] != settled[i["invoice_id"]]:
            items.append((i["customer_id"], i["currency"], due, i["amount"] - settled[i["invoice_id"]]))
    return items


def _bucket(days_past_due: int) -> int:
    for index, top in enumerate((0, 30, 60, 90)):
        if days_past_due <= top:
            return index
    return 4


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _single(documents: list[dict[str, Any]]) -> Any:
    return documents[0] if len(documents) == 1 else documents


def aging(ledger: Ledger, day: dt.date) -> Any:
    """SPEC §4 JSON document (one object, or a list with one per currency)."""
    names = {c["customer_id"]: c["name"] for c in ledger.customers}
    items = open_items(ledger, day)
    documents = []
    for currency in sorted({item[1] for item in items}) or ["EUR"]:
        sums: dict[str, list[Decimal]] = {}
        for customer_id, item_currency, aging_date, amount in items:
            if item_currency == currency:
                sums.setdefault(customer_id, [Decimal(0)] * 5)[_bucket((day - aging_date).days)] += amount
        rows = [
            {
                "customer_id": customer_id,
                "name": names.get(customer_id, customer_id),
                "total": _money(sum(amounts, Decimal(0))),
                **dict(zip(BUCKETS, map(_money, amounts), strict=True)),
            }
            for customer_id, amounts in sorted(sums.items())
            if any(amounts)
        ]
        totals = [sum((amounts[k] for amounts in sums.values()), Decimal(0)) for k in range(5)]
        documents.append(
            {
                "as_of": day.isoformat(),
                "currency": currency,
                "buckets": BUCKETS,
                "rows": rows,
                "totals": {
                    "total": _money(sum(totals, Decimal(0))),
                    **dict(zip(BUCKETS, map(_money, totals), strict=True)),
                },
            }
        )
    return _single(documents)


def _rounded(value: Decimal | None, places: str) -> float | None:
    return None if value is None else float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _sales(ledger: Ledger, currency: str, first: dt.date, last: dt.date) -> Decimal:
    return sum(
        (
            i["amount"] if i["kind"] == "invoice" else -i["amount"]
            for i in ledger.invoices
            if i["currency"] == currency and first <= i["issue_date"] <= last
        ),
        Decimal(0),
    )


def _countback(ledger: Ledger, currency: str, day: dt.date, outstanding: Decimal) -> Decimal:
    earliest = min((i["issue_date"] for i in ledger.invoices if i["currency"] == currency), default=None)
    remaining, days = outstanding, Decimal(0)
    if remaining <= 0 or earliest is None:
        return days
    first, last, month_days = day.replace(day=1), day, day.day
    while True:
        sales = _sales(ledger, currency, first, last)
        if remaining > sales and first > earliest:
            remaining -= sales
            days += month_days
            last = first - dt.timedelta(days=1)
            first = last.replace(day=1)
            month_days = calendar.monthrange(last.year, last.month)[1]
            continue
        if sales > 0:
            days += min(remaining / sales, Decimal(1)) * month_days
        return days


def kpis(ledger: Ledger, day: dt.date) -> Any:
    """SPEC §5 JSON document, without Encours' own extension keys."""
    now = open_items(ledger, day)
    before = open_items(ledger, day - dt.timedelta(days=30))
    currencies = {item[1] for item in now} | {
        i["currency"] for i in ledger.invoices if i["issue_date"] <= day
    }
    documents = []
    for currency in sorted(currencies) or ["EUR"]:
        mine = [(aging_date, amount) for _, c, aging_date, amount in now if c == currency]
        outstanding = sum((amount for _, amount in mine), Decimal(0))
        positive = sum((amount for _, amount in mine if amount > 0), Decimal(0))
        overdue = sum((amount for due, amount in mine if amount > 0 and due < day), Decimal(0))
        current = sum((amount for due, amount in mine if due >= day), Decimal(0))
        at_start = sum((amount for _, c, _, amount in before if c == currency), Decimal(0))
        sales_90 = _sales(ledger, currency, day - dt.timedelta(days=89), day)
        sales_30 = _sales(ledger, currency, day - dt.timedelta(days=29), day)
        simple = None if sales_90 == 0 else outstanding / sales_90 * 90
        best = None if sales_90 == 0 else current / sales_90 * 90
        collectable = at_start + sales_30
        cei = None if collectable == current else (collectable - outstanding) / (collectable - current) * 100
        documents.append(
            {
                "as_of": day.isoformat(),
                "currency": currency,
                "outstanding": _money(outstanding),
                "overdue": _money(overdue),
                "overdue_ratio": _rounded(None if positive == 0 else overdue / positive, "0.001"),
                "dso_countback": _rounded(_countback(ledger, currency, day, outstanding), "0.1"),
                "dso_simple": _rounded(simple, "0.1"),
                "best_possible_dso": _rounded(best, "0.1"),
                "add": None if simple is None or best is None else _rounded(simple - best, "0.1"),
                "cei": _rounded(cei, "0.1"),
            }
        )
    return _single(documents)
