"""Import pipeline: detect → parse → validate → store, all or nothing per file.

The service flushes; the caller's unit of work commits, so a rejected file leaves the
database exactly as it was.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.domain.allocation import apply_payment
from encours.domain.errors import InvalidLines, LedgerError
from encours.domain.plausibility import moved_documents, record_errors
from encours.domain.records import CUSTOMER_ACCOUNT_PREFIXES, Entry
from encours.ingest import detect
from encours.ingest.canonical_csv import csv_kind
from encours.ingest.failures import PARSER_FAILURES, unreadable
from encours.ingest.fec.parser import parse_fec
from encours.ingest.parsed import ParsedFile, PaymentLink
from encours.ingest.registry import parser_for, resolver_for
from encours.ingest.textfile import decode, physical_lines
from encours.ledger.models import TEXT_LIMITS, ImportBatchRow
from encours.ledger.repository import LedgerRepository, allocation_tuple

# customers first, then documents, then payments, so one command can take them in any order
_RANK = {"csv-customers": 0, "csv-invoices": 1, "fec": 1, "csv-payments": 2}
_RANK |= {fmt: 1 for fmt in (detect.FACTURX, detect.CII, detect.UBL)}  # e-invoices are documents
_RANK |= {fmt: 2 for fmt in (detect.CAMT053, detect.CAMT054, detect.OFX, detect.CFONB120, detect.MT940)}


class ImportRejected(InvalidLines):
    """A file refused whole, with every bad line: the file is all or nothing."""

    def __init__(self, errors: Sequence[LedgerError]) -> None:
        super().__init__(f"{errors[0].file}: nothing imported", errors)


class ImportCounts(NamedTuple):
    file: str
    format: str
    customers_created: int
    customers_updated: int
    entries_created: int
    entries_updated: int
    entries_unchanged: int
    allocations_written: int

    def describe(self) -> str:
        return (
            f"{self.file} ({self.format}): customers {self.customers_created} new, "
            f"{self.customers_updated} updated; entries {self.entries_created} new, "
            f"{self.entries_updated} updated, {self.entries_unchanged} unchanged; "
            f"allocations {self.allocations_written} written"
        )


class SourceFile(NamedTuple):
    path: Path
    data: bytes
    format: str


def read_source(path: Path, forced_format: str | None = None) -> SourceFile:
    """The file's bytes and format (from its content unless forced); unreadable or unknown: rejected."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRejected([LedgerError(str(path), 0, "", f"cannot read file: {exc.strerror}")]) from None
    return source_of(path, data, forced_format)


def source_of(path: Path, data: bytes, forced_format: str | None = None) -> SourceFile:
    """Bytes read elsewhere (an upload kept in the database) with their format; unknown: rejected."""
    found = forced_format or detect.detect_format(data)
    if found is None:
        raise ImportRejected([LedgerError(str(path), 1, "", "unrecognised file format")])
    return SourceFile(path, data, found)


def import_order(sources: Sequence[SourceFile]) -> list[SourceFile]:
    """Customers first, then documents, then payments, so one command takes files in any order."""

    def rank(source: SourceFile) -> int:
        if source.format != detect.CSV:
            return _RANK.get(source.format, 3)
        lines = physical_lines(decode(source.data[:4096]))
        header = next(lines, None)
        kind = csv_kind(detect.header_names(header.text)) if header else None
        return _RANK.get(f"csv-{kind}", 3)

    return sorted(sources, key=rank)


class ImportService:
    """Parses, resolves against the stored ledger, then stores one file; flushes, never commits."""

    def __init__(
        self, session: Session, customer_prefixes: Sequence[str] = CUSTOMER_ACCOUNT_PREFIXES
    ) -> None:
        self.session = session
        self.ledger = LedgerRepository(session)
        self.customer_prefixes = tuple(customer_prefixes)  # customer accounts of a FEC

    def parse(self, source: SourceFile) -> ParsedFile:
        parser = parser_for(source.format)
        if parser is None:
            message = f"no importer for format {source.format!r}"
            raise ImportRejected([LedgerError(str(source.path), 0, "", message)])
        known = self.ledger.customers_by_id()
        if source.format == detect.FEC:
            parser = functools.partial(parse_fec, customer_prefixes=self.customer_prefixes)
        try:
            parsed = parser(str(source.path), source.data, known)
        except PARSER_FAILURES as exc:
            raise ImportRejected([unreadable(str(source.path), source.data, source.format, exc)]) from None
        # Formats with a resolver (bank statements) complete the parse from the stored ledger,
        # e.g. the customer owning an invoice number a transfer quotes; they read, never write.
        resolver = resolver_for(source.format)
        if resolver is not None and not parsed.errors:
            parsed = resolver(parsed, self.ledger.invoices_by_reference)
        return parsed

    def import_source(self, source: SourceFile) -> ImportCounts:
        """parse → check every record (SPEC §2's implausible values) → store; any error refuses all."""
        parsed = self.parse(source)
        if parsed.errors:
            raise ImportRejected(parsed.errors)
        implausible = record_errors(parsed.customers, parsed.entries, TEXT_LIMITS)
        if implausible:
            raise ImportRejected(implausible)
        return self.store(parsed, source)

    def store(self, parsed: ParsedFile, source: SourceFile) -> ImportCounts:
        parsed = self._currency_from_invoices(parsed)
        batch = ImportBatchRow(
            file_name=parsed.file[:1024], sha256=hashlib.sha256(source.data).hexdigest(), format=parsed.format
        )
        self.session.add(batch)
        self.session.flush()
        customers_created, customers_updated = self.ledger.upsert_customers(parsed.customers)
        customers_created += self.ledger.ensure_customers(e.customer_id for e in parsed.entries)
        existing = self.ledger.existing_entries({e.key for e in parsed.entries})
        moved = moved_documents(parsed.entries, self.ledger.stored_owners(existing))
        if moved:
            raise ImportRejected(moved)
        created, updated, unchanged = self.ledger.upsert_entries(parsed.entries, batch.id, existing)
        written = self._store_links(parsed) + self._store_lettering(parsed)
        batch.created, batch.updated, batch.unchanged = created, updated, unchanged
        if not (customers_created or customers_updated or created or updated or written):
            self.session.delete(batch)  # a re-import that changes nothing leaves no trace
        self.session.flush()
        return ImportCounts(
            parsed.file, parsed.format, customers_created, customers_updated,
            created, updated, unchanged, written,
        )  # fmt: skip

    def _currency_from_invoices(self, parsed: ParsedFile) -> ParsedFile:
        """A payment allocated to an invoice without a currency of its own is in the invoice's."""
        unstated = {
            link.payment_key: link.invoice_key for link in parsed.payment_links if not link.currency_stated
        }
        if not unstated:
            return parsed
        invoices = self.ledger.entries_by_key(set(unstated.values()))
        entries = tuple(
            entry._replace(currency=invoices[unstated[entry.key]].currency)
            if entry.key in unstated and unstated[entry.key] in invoices
            else entry
            for entry in parsed.entries
        )
        return parsed._replace(entries=entries)

    def _store_links(self, parsed: ParsedFile) -> int:
        """Allocate each linked payment to its invoice, oldest payment first; excess stays unapplied."""
        links = parsed.payment_links
        if not links:
            return 0
        known = self.ledger.entries_by_key(
            {link.invoice_key for link in links} | {link.payment_key for link in links}
        )
        errors = [
            LedgerError(parsed.file, link.line, "invoice_id", f"unknown invoice {link.invoice_key[4:]!r}")
            for link in links
            if link.invoice_key not in known
        ]
        errors += [
            LedgerError(parsed.file, link.line, "currency", "payment and invoice currencies differ")
            for link in links
            if link.invoice_key in known
            and known[link.invoice_key].currency != known[link.payment_key].currency
        ]
        errors += [
            LedgerError(parsed.file, link.line, "invoice_id", "invoice belongs to another customer")
            for link in links
            if link.invoice_key in known
            and known[link.invoice_key].customer_id != known[link.payment_key].customer_id
        ]
        if errors:
            raise ImportRejected(errors)
        ids = self.ledger.entry_ids(known)
        payment_ids = {ids[link.payment_key] for link in links}
        settled = self.ledger.settled_amounts((ids[link.invoice_key] for link in links), payment_ids)
        rows = set()
        for link in sorted(links, key=lambda lk: _link_order(lk, known)):
            invoice, payment = known[link.invoice_key], known[link.payment_key]
            already = settled.get(ids[invoice.key], Decimal(0))
            allocation = apply_payment(payment, invoice, already)
            if allocation is not None:
                settled[ids[invoice.key]] = already + allocation.amount
                rows.add(allocation_tuple(allocation, ids))
        return self.ledger.replace_allocations(payment_ids, "import", rows)

    def _store_lettering(self, parsed: ParsedFile) -> int:
        """Allocations the file states whole (FEC lettering, demo): replace those of its credits."""
        credit_keys = {e.key for e in parsed.entries if not e.is_debit}
        if not credit_keys:
            return 0
        stated = {a.debit_key for a in parsed.allocations} | {a.credit_key for a in parsed.allocations}
        ids = self.ledger.entry_ids(credit_keys | stated)
        rows = {allocation_tuple(a, ids) for a in parsed.allocations}
        return self.ledger.replace_allocations({ids[k] for k in credit_keys}, "lettering", rows)


def _link_order(link: PaymentLink, known: dict[str, Entry]) -> tuple[object, ...]:
    payment = known[link.payment_key]
    return (payment.date, payment.key, link.invoice_key)
