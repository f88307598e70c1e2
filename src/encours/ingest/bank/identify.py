"""Naming the customer of a bank receipt from the invoice numbers its remittance quotes.

Parsing is pure and only knows the customers; which invoices exist is in the stored ledger.
The import service therefore runs this resolver after parsing, handing it a read-only
lookup of stored invoices by number (their reference, whatever file they came from: canonical
CSV, FEC or e-invoice). It only re-attributes receipts: nothing is allocated, the
payment stays unapplied until cash application (SPEC §2). The invoice numbers found are
kept as the payment's ``reference`` so that step can propose the allocation.
"""

from __future__ import annotations

from encours.domain.records import Entry, EntryKind
from encours.domain.remittance import invoice_candidates, payer_from_invoices
from encours.ingest.bank.common import KEY_PREFIX, with_unidentified
from encours.ingest.parsed import ParsedFile
from encours.ingest.registry import InvoiceLookup


def _is_receipt(entry: Entry) -> bool:
    return entry.kind is EntryKind.PAYMENT and entry.key.startswith(KEY_PREFIX)


def resolve_invoice_references(parsed: ParsedFile, lookup: InvoiceLookup) -> ParsedFile:
    """Attribute each receipt naming known invoices of one customer to that customer."""
    candidates = {e.key: invoice_candidates(e.label) for e in parsed.entries if _is_receipt(e)}
    wanted = {number for numbers in candidates.values() for number in numbers}
    if not wanted:
        return parsed
    invoices = lookup(wanted)
    entries = []
    for entry in parsed.entries:
        found = payer_from_invoices(candidates[entry.key], invoices) if entry.key in candidates else None
        if found is not None:
            customer_id, numbers = found
            entry = entry._replace(customer_id=customer_id, reference=" ".join(numbers)[:255])
        entries.append(entry)
    return with_unidentified(parsed._replace(entries=tuple(entries)))
