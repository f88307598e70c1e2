"""What every bank-statement importer shares: incoming credits become unapplied payments.

Each parser turns its format into ``Receipt`` values (credits to our account only: debits are
what we pay, not receivables) and hands them to ``receipts_to_parsed``, which gives them
stable keys, finds the paying customer among the known ones and builds the payment entries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from encours.domain.errors import LedgerError
from encours.domain.money import format_amount
from encours.domain.records import Customer, Entry, EntryKind, SourceRef
from encours.domain.remittance import PayerIndex
from encours.ingest.fields import plausible_amount
from encours.ingest.parsed import ParsedFile

UNIDENTIFIED = "UNIDENTIFIED"
UNIDENTIFIED_NAME = "Encaissements non identifiés"
KEY_PREFIX = "bank:"
_MAX_REF = 80


class Receipt(NamedTuple):
    """One credit to our account as the bank reported it; ``amount`` is positive."""

    account: str
    date: dt.date
    amount: Decimal
    currency: str
    bank_ref: str  # the bank's own reference of the transaction, "" when it gives none
    debtor_name: str
    remittance: str
    line: int


def unidentified_customer() -> Customer:
    return Customer(customer_id=UNIDENTIFIED, name=UNIDENTIFIED_NAME)


def receipt_key(receipt: Receipt, occurrence: int) -> str:
    """Stable across re-imports and overlapping statements: no statement id, no file name.

    Identical receipts in one file (same account, day, reference and amount) are told apart
    by their rank in the file.
    """
    ref = re.sub(r"\s+", " ", receipt.bank_ref).strip()[:_MAX_REF] or "-"
    amount = format_amount(receipt.amount)
    key = f"{KEY_PREFIX}{receipt.account or '-'}:{receipt.date.isoformat()}:{ref}:{amount}"
    return key if occurrence == 1 else f"{key}#{occurrence}"


def payment_label(receipt: Receipt) -> str:
    return " | ".join(part for part in (receipt.debtor_name, receipt.remittance) if part)


def receipts_to_parsed(
    file: str,
    format_name: str,
    receipts: Iterable[Receipt],
    known: Mapping[str, Customer],
    errors: Sequence[LedgerError] = (),
) -> ParsedFile:
    """Payment entries of the receipts; a file with errors yields only its errors."""
    if errors:
        return ParsedFile(file, format_name, errors=tuple(errors))
    seen: dict[str, int] = {}
    entries = []
    payers = PayerIndex(known.values())
    for receipt in receipts:
        base = receipt_key(receipt, 1)
        seen[base] = seen.get(base, 0) + 1
        customer_id = payers.payer(receipt.debtor_name, receipt.remittance) or UNIDENTIFIED
        entries.append(
            Entry(
                key=receipt_key(receipt, seen[base]),
                customer_id=customer_id,
                kind=EntryKind.PAYMENT,
                reference=receipt.bank_ref[:255],
                date=receipt.date,
                due_date=receipt.date,
                amount=-receipt.amount,
                currency=receipt.currency,
                label=payment_label(receipt),
                source=SourceRef(file, receipt.line),
            )
        )
    catch_all = known.get(UNIDENTIFIED) or unidentified_customer()  # a stored one stays as it is
    return with_unidentified(ParsedFile(file, format_name, customers=(catch_all,), entries=tuple(entries)))


def with_unidentified(parsed: ParsedFile) -> ParsedFile:
    """Declare the catch-all customer exactly when an entry of the file needs it."""
    catch_all = [c for c in parsed.customers if c.customer_id == UNIDENTIFIED] or [unidentified_customer()]
    others = tuple(c for c in parsed.customers if c.customer_id != UNIDENTIFIED)
    if any(e.customer_id == UNIDENTIFIED for e in parsed.entries):
        others += (catch_all[0],)
    return parsed._replace(customers=others)


# -- small parsing helpers shared by the formats -------------------------------------------

_AMOUNT = re.compile(r"^(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


def parse_positive_amount(text: str) -> Decimal:
    """A non-negative bank amount with ``.`` or ``,`` as decimal mark, never via float."""
    cleaned = text.strip()
    if not _AMOUNT.match(cleaned):
        raise ValueError(f"invalid amount {text[:40]!r}")
    try:
        return plausible_amount(Decimal(cleaned.replace(",", ".")))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards it
        raise ValueError(f"invalid amount {text[:40]!r}") from exc
