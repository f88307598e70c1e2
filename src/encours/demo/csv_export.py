"""Write a demo ledger as canonical CSV files (SPEC §2), to feed the importers."""

from __future__ import annotations

import csv
from pathlib import Path

from encours.demo.generator import DemoLedger
from encours.domain.money import format_amount
from encours.domain.records import EntryKind

CONTACT_FIELDS = ("address_line1", "address_line2", "postal_code", "city", "phone", "iban")


def write_canonical_csv(ledger: DemoLedger, folder: Path) -> list[Path]:
    """customers.csv, invoices.csv, payments.csv; payments carry their single invoice_id."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "customers.csv", folder / "invoices.csv", folder / "payments.csv"]
    links: dict[str, list[str]] = {}
    for allocation in ledger.allocations:
        links.setdefault(allocation.credit_key, []).append(allocation.debit_key)
    with paths[0].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "country", "currency", "payment_terms_days",
                         "credit_limit", "email", "language", "sales_rep", *CONTACT_FIELDS])  # fmt: skip
        for c in ledger.customers:
            limit = "" if c.credit_limit is None else format_amount(c.credit_limit)
            writer.writerow([c.customer_id, c.name, c.country, c.currency, c.payment_terms_days,
                             limit, c.email, c.language, c.sales_rep,
                             *(getattr(c, name) for name in CONTACT_FIELDS)])  # fmt: skip
    with paths[1].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["invoice_id", "customer_id", "issue_date", "due_date", "amount", "currency", "kind", "disputed"]
        )
        for e in ledger.entries:
            if e.kind.is_sale:
                writer.writerow([e.reference, e.customer_id, e.date, e.due_date, format_amount(abs(e.amount)),
                                 e.currency, e.kind.value, str(e.disputed).lower()])  # fmt: skip
    with paths[2].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["payment_id", "customer_id", "date", "amount", "currency", "invoice_id", "method"])
        for e in ledger.entries:
            if e.kind is EntryKind.PAYMENT:
                invoice = links.get(e.key, [""])[0].removeprefix("doc:")
                writer.writerow(
                    [
                        e.reference,
                        e.customer_id,
                        e.date,
                        format_amount(-e.amount),
                        e.currency,
                        invoice,
                        "transfer",
                    ]
                )
    return paths
