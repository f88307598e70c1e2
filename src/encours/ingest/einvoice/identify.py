"""An e-invoice already in the ledger keeps the customer the ledger gave it.

The same invoice may arrive first from a canonical CSV export (customer "C042") and later as
its Factur-X PDF, whose buyer block yields another id (its VAT number). The key is the same
(``doc:<number>``), so nothing is duplicated; this resolver also keeps the entry with its
stored customer instead of moving it to a customer created from the buyer block.
"""

from __future__ import annotations

from encours.domain.records import EntryKind
from encours.ingest.parsed import ParsedFile
from encours.ingest.registry import InvoiceLookup


def keep_stored_customer(parsed: ParsedFile, lookup: InvoiceLookup) -> ParsedFile:
    invoices = [e for e in parsed.entries if e.kind is EntryKind.INVOICE]
    if not invoices:
        return parsed
    stored = lookup({e.reference for e in invoices})
    owners = {
        e.key: found.customer_id
        for e in invoices
        for found in stored.get(e.reference, ())
        if found.key == e.key
    }
    moved = {e.customer_id for e in parsed.entries if e.key in owners and owners[e.key] != e.customer_id}
    if not moved:
        return parsed
    entries = tuple(e._replace(customer_id=owners.get(e.key, e.customer_id)) for e in parsed.entries)
    still_used = {e.customer_id for e in entries}
    customers = tuple(c for c in parsed.customers if c.customer_id in still_used)
    return parsed._replace(entries=entries, customers=customers)
