"""Canonical CSV files (SPEC §2): customers, invoices and payments, told apart by header."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from encours.domain.errors import LedgerError
from encours.domain.plausibility import due_date_problem
from encours.domain.records import Customer, Entry, EntryKind, SourceRef
from encours.domain.terms import PaymentTerms
from encours.ingest.fields import (
    bounded_text,
    parse_amount,
    parse_bool,
    parse_currency,
    parse_ibans,
    parse_iso_date,
)
from encours.ingest.parsed import ParsedFile, PaymentLink
from encours.ingest.rows import Row, header_errors, read_rows
from encours.ingest.textfile import Line

CUSTOMERS = "customers"
INVOICES = "invoices"
PAYMENTS = "payments"

REQUIRED = {
    CUSTOMERS: ("customer_id", "name"),
    INVOICES: ("invoice_id", "customer_id", "issue_date", "amount"),
    PAYMENTS: ("payment_id", "customer_id", "date", "amount"),
}


def document_key(invoice_id: str) -> str:
    return f"doc:{invoice_id}"


def payment_key(payment_id: str) -> str:
    return f"pay:{payment_id}"


def csv_kind(header: Sequence[str]) -> str | None:
    """Which canonical file a header announces, or None."""
    names = {name.strip().lower() for name in header}
    for kind in (INVOICES, PAYMENTS, CUSTOMERS):
        if set(REQUIRED[kind]) <= names:
            return kind
    return None


MAX_TERMS_DAYS = 3650  # ten years: beyond, the due date itself is implausible


def _positive_int(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"invalid number of days {text[:20]!r}, expected a whole number such as 30")
    value = int(text)
    if value > MAX_TERMS_DAYS:
        raise ValueError(f"{value} days is implausible, at most {MAX_TERMS_DAYS}")
    return value


def _non_negative_amount(text: str) -> Decimal:
    value = parse_amount(text)
    if value < 0:
        raise ValueError(f"negative amount {text!r}; use a credit note or a payment")
    return value


def _language(text: str) -> str:
    code = text.strip().lower()
    if not code.isalpha() or len(code) not in (2, 3):
        raise ValueError(f"invalid language {text!r}, expected a code such as fr or en")
    return code


class _Ids:
    """Detects an id used twice in one file, which would make the import ambiguous."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.seen: dict[str, int] = {}

    def check(self, row: Row, value: str) -> None:
        if value in self.seen:
            row.error(self.field, f"duplicate {self.field} {value!r} (first on line {self.seen[value]})")
        else:
            self.seen[value] = row.line


def parse_customers(file: str, rows: Iterable[Row]) -> list[Customer]:
    ids = _Ids("customer_id")
    customers = []
    for row in rows:
        customer_id = row.identifier("customer_id", required=True)
        name = row.text("name", required=True)
        ids.check(row, customer_id)
        customer = Customer(
            customer_id=customer_id,
            name=name,
            country=(row.text("country").upper() or None),
            currency=row.get("currency", parse_currency),
            payment_terms_days=row.get("payment_terms_days", _positive_int),
            credit_limit=row.get("credit_limit", _non_negative_amount),
            email=row.text("email") or None,
            language=row.get("language", _language),
            segment=row.text("segment") or None,
            siren=row.text("siren") or None,
            vat_number=row.text("vat_number") or None,
            sales_rep=row.text("sales_rep") or None,
            address_line1=row.get("address_line1", bounded_text(255)),
            address_line2=row.get("address_line2", bounded_text(255)),
            postal_code=row.get("postal_code", bounded_text(16)),
            city=row.get("city", bounded_text(128)),
            phone=row.get("phone", bounded_text(64)),
            iban=row.get("iban", parse_ibans),
            source=SourceRef(file, row.line),
        )
        if not row.failed:
            customers.append(customer)
    return customers


def _currency(row: Row, customer: Customer | None) -> str:
    return row.get("currency", parse_currency) or (customer and customer.currency) or "EUR"


def parse_invoices(file: str, rows: Iterable[Row], known: Mapping[str, Customer]) -> list[Entry]:
    ids = _Ids("invoice_id")
    entries = []
    for row in rows:
        invoice_id = row.identifier("invoice_id", required=True)
        customer_id = row.identifier("customer_id", required=True)
        ids.check(row, invoice_id)
        issue = row.get("issue_date", parse_iso_date, required=True)
        amount = row.get("amount", _non_negative_amount, required=True)
        due = row.get("due_date", parse_iso_date)
        kind_text = row.text("kind").lower() or EntryKind.INVOICE.value
        if kind_text not in (EntryKind.INVOICE.value, EntryKind.CREDIT_NOTE.value):
            row.error("kind", f"invalid kind {kind_text!r}, expected invoice or credit_note")
        disputed = row.get("disputed", parse_bool) or False
        customer = known.get(customer_id)
        currency = _currency(row, customer)
        if row.failed or issue is None or amount is None:
            continue
        kind = EntryKind(kind_text)
        if due is None:
            due = PaymentTerms.net(customer.payment_terms_days if customer else None).due_date(issue)
        elif kind is EntryKind.INVOICE and (problem := due_date_problem(issue, due)):
            row.error("due_date", problem)
            continue
        entries.append(
            Entry(
                key=document_key(invoice_id),
                customer_id=customer_id,
                kind=kind,
                reference=invoice_id,
                date=issue,
                due_date=issue if kind is EntryKind.CREDIT_NOTE else due,
                amount=-amount if kind is EntryKind.CREDIT_NOTE else amount,
                currency=currency,
                disputed=disputed,
                label=row.text("reference"),
                source=SourceRef(file, row.line),
            )
        )
    return entries


def parse_payments(
    file: str, rows: Iterable[Row], known: Mapping[str, Customer]
) -> tuple[list[Entry], list[PaymentLink]]:
    ids = _Ids("payment_id")
    entries: list[Entry] = []
    links: list[PaymentLink] = []
    for row in rows:
        payment_id = row.identifier("payment_id", required=True)
        customer_id = row.identifier("customer_id", required=True)
        ids.check(row, payment_id)
        date = row.get("date", parse_iso_date, required=True)
        amount = row.get("amount", _non_negative_amount, required=True)
        currency = _currency(row, known.get(customer_id))
        invoice_id = row.identifier("invoice_id")
        if row.failed or date is None or amount is None:
            continue
        key = payment_key(payment_id)
        entries.append(
            Entry(
                key=key,
                customer_id=customer_id,
                kind=EntryKind.PAYMENT,
                reference=payment_id,
                date=date,
                due_date=date,
                amount=-amount,
                currency=currency,
                label=" ".join(filter(None, (row.text("method"), row.text("reference")))),
                source=SourceRef(file, row.line),
            )
        )
        if invoice_id:
            stated = bool(row.text("currency"))
            links.append(PaymentLink(key, document_key(invoice_id), row.line, stated))
    return entries, links


def parse_canonical_csv(file: str, lines: Sequence[Line], known: Mapping[str, Customer]) -> ParsedFile:
    """Parse one canonical file; unknown customers are created later with their id as name."""
    errors: list[LedgerError] = []
    if not lines:
        return ParsedFile(file, "csv", errors=(LedgerError(file, 1, "", "empty file"),))
    header, row_iter = read_rows(file, lines, ",", errors)
    kind = csv_kind(header)
    if kind is None:
        message = "unrecognised header: expected a customers, invoices or payments file"
        return ParsedFile(file, "csv", errors=(LedgerError(file, 1, "", message),))
    errors.extend(header_errors(file, header, REQUIRED[kind]))
    if errors:
        return ParsedFile(file, f"csv-{kind}", errors=tuple(errors))
    rows = row_iter  # streamed: a million rows are parsed without holding them all
    if kind == CUSTOMERS:
        customers = parse_customers(file, rows)
        return ParsedFile(file, f"csv-{kind}", customers=tuple(customers), errors=tuple(errors))
    if kind == INVOICES:
        entries = parse_invoices(file, rows, known)
        return ParsedFile(file, f"csv-{kind}", entries=tuple(entries), errors=tuple(errors))
    payments, links = parse_payments(file, rows, known)
    return ParsedFile(
        file, f"csv-{kind}", entries=tuple(payments), payment_links=tuple(links), errors=tuple(errors)
    )
