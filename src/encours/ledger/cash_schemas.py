"""Cash application as SPEC §10 shows it (CLI JSON, API): one presenter, shared."""

from __future__ import annotations

from typing import Any

from encours.domain.cash_reasons import render_all
from encours.domain.money import format_amount
from encours.ledger.cash_application import CashRun, ReceiptOutcome


def receipt_document(receipt: ReceiptOutcome, language: str = "en") -> dict[str, Any]:
    return {
        "receipt_id": receipt.receipt_id,
        "date": receipt.date.isoformat(),
        "amount": format_amount(receipt.amount),
        "currency": receipt.currency,
        "payer": receipt.payer,
        "remittance": receipt.remittance,
        "status": receipt.status.value,
        "customer_id": receipt.customer_id,
        "rule": receipt.rule.value if receipt.rule else None,
        "reason": render_all(receipt.reasons, language) or None,
        "allocations": [
            {"invoice_id": number, "amount": format_amount(amount)} for number, amount in receipt.allocations
        ],
    }


def run_document(run: CashRun, language: str = "en") -> dict[str, Any]:
    return {
        "as_of": run.as_of.isoformat(),
        "receipts": [receipt_document(r, language) for r in run.receipts],
        "summary": run.summary(),
    }


TABLE_HEADER = ["receipt_id", "date", "amount", "status", "customer_id", "rule", "allocations", "reason"]


def table_row(receipt: ReceiptOutcome) -> list[str]:
    allocations = ", ".join(f"{number} {format_amount(amount)}" for number, amount in receipt.allocations)
    return [
        receipt.receipt_id, receipt.date.isoformat(), f"{format_amount(receipt.amount)} {receipt.currency}",
        receipt.status.value, receipt.customer_id or "", receipt.rule.value if receipt.rule else "",
        allocations, render_all(receipt.reasons),
    ]  # fmt: skip
