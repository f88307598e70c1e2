"""What CII, UBL and Factur-X share: one invoice or credit note, its buyer as our customer.

The document becomes an entry keyed ``doc:<number>``, the key canonical CSV invoices use,
so one invoice imported from two sources (a CSV export and its Factur-X PDF) is stored once.
The buyer is matched to a known customer by VAT number, SIREN or name; a new buyer is keyed
by its VAT number, else its SIREN, else its name. A known customer keeps what is already
recorded: the document only fills fields that were empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from lxml import etree
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren

from encours.domain.errors import LedgerError
from encours.domain.records import Customer, Entry, EntryKind, SourceRef
from encours.domain.remittance import compact_identifier, normalise_name
from encours.domain.terms import PaymentTerms
from encours.ingest.canonical_csv import document_key
from encours.ingest.fields import parse_currency, plausible_amount
from encours.ingest.parsed import ParsedFile
from encours.ingest.xmltree import child, line_of

# UNTDID 1001 document types that EN 16931 treats as credit notes; any other is an invoice.
CREDIT_NOTE_TYPES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
MAX_ID = 64


class PostalAddress(NamedTuple):
    """The buyer's postal address (BG-8): lines BT-50/51/163, post code BT-53, city BT-52."""

    line1: str
    line2: str | None
    postal_code: str | None
    city: str


def postal_address(lines: Sequence[str], postal_code: str, city: str) -> PostalAddress | None:
    """The address when it has a street line and a city (else a letter could not be sent)."""
    kept = [" ".join(line.split())[:255] for line in lines if line.strip()]
    city = " ".join(city.split())[:128]
    if not kept or not city:
        return None
    return PostalAddress(kept[0], ", ".join(kept[1:])[:255] or None, postal_code.strip()[:16] or None, city)


class Buyer(NamedTuple):
    name: str
    vat_number: str | None  # raw as written; validated by ``buyer_customer``
    registration_ids: tuple[str, ...]  # SIREN or SIRET candidates
    country: str | None
    email: str | None
    address: PostalAddress | None = None
    phone: str | None = None


class Document(NamedTuple):
    number: str
    credit_note: bool
    issue_date: dt.date
    due_date: dt.date | None
    amount: Decimal  # amount due incl. tax, positive
    currency: str
    buyer: Buyer
    label: str
    line: int


class XmlProblem(ValueError):
    """A missing or invalid element; carries the line of the element (or its parent)."""

    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field


def normalise_vat(text: str | None) -> str | None:
    """The compact VAT number when its checksum is valid, else None."""
    if not text:
        return None
    compact = str(eu_vat.compact(text))
    return compact if eu_vat.is_valid(compact) else None


def normalise_siren(candidates: Sequence[str], vat_number: str | None) -> str | None:
    """A valid SIREN from a SIREN, a SIRET (its first 9 digits) or a French VAT number."""
    numbers = [re.sub(r"\D", "", c) for c in candidates]
    if vat_number and vat_number.startswith("FR"):
        numbers.append(vat_number[4:])
    for digits in numbers:
        if len(digits) in (9, 14) and fr_siren.is_valid(digits[:9]):
            return digits[:9]
    return None


def buyer_customer(buyer: Buyer, known: Mapping[str, Customer]) -> Customer:
    """The known customer this buyer is (filled in where empty), or a new customer."""
    vat = normalise_vat(buyer.vat_number)
    siren = normalise_siren(buyer.registration_ids, vat)
    country = buyer.country.upper() if buyer.country and re.fullmatch(r"[A-Za-z]{2}", buyer.country) else None
    found = _match(known, vat, siren, buyer.name)
    if found is None:
        customer_id = (vat or siren or " ".join(buyer.name.split()))[:MAX_ID]
        found = known.get(customer_id) or Customer(customer_id=customer_id, name=buyer.name)
    found = found._replace(
        country=found.country or country,
        email=found.email or buyer.email,
        vat_number=found.vat_number or vat,
        siren=found.siren or siren,
        phone=found.phone or (buyer.phone[:64] if buyer.phone else None),
    )
    address = buyer.address
    if address is None or found.address_line1:
        return found  # an address already recorded is kept whole, never mixed with the document's
    return found._replace(
        address_line1=address.line1, address_line2=address.line2, postal_code=address.postal_code,
        city=address.city,
    )  # fmt: skip


def _match(known: Mapping[str, Customer], vat: str | None, siren: str | None, name: str) -> Customer | None:
    for value, attribute in ((vat, "vat_number"), (siren, "siren")):
        if value:
            hits = [c for c in known.values() if compact_identifier(getattr(c, attribute) or "") == value]
            if len(hits) == 1:
                return hits[0]
    wanted = normalise_name(name)
    hits = [c for c in known.values() if wanted and normalise_name(c.name) == wanted]
    return hits[0] if len(hits) == 1 else None


def document_to_parsed(
    file: str, format_name: str, document: Document, known: Mapping[str, Customer]
) -> ParsedFile:
    customer = buyer_customer(document.buyer, known)
    kind = EntryKind.CREDIT_NOTE if document.credit_note else EntryKind.INVOICE
    if document.credit_note:
        due = document.issue_date  # an unapplied credit ages from its own date (SPEC §4)
    else:
        terms = PaymentTerms.net(customer.payment_terms_days)
        due = document.due_date or terms.due_date(document.issue_date)
    entry = Entry(
        key=document_key(document.number),
        customer_id=customer.customer_id,
        kind=kind,
        reference=document.number,
        date=document.issue_date,
        due_date=due,
        amount=-document.amount if document.credit_note else document.amount,
        currency=document.currency,
        label=document.label,
        source=SourceRef(file, document.line),
    )
    customer = customer._replace(source=SourceRef(file, document.line))
    return ParsedFile(file, format_name, customers=(customer,), entries=(entry,))


def problem_to_parsed(file: str, format_name: str, problem: XmlProblem, note: str = "") -> ParsedFile:
    message = f"{problem}{note}"
    return ParsedFile(file, format_name, errors=(LedgerError(file, problem.line, problem.field, message),))


# -- reading XML values --------------------------------------------------------------------


def parse_amount(element: etree._Element, field: str) -> Decimal:
    text = (element.text or "").strip()
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        raise XmlProblem(element.sourceline or 1, field, f"invalid amount {text[:40]!r}")
    try:
        return plausible_amount(Decimal(text))
    except ValueError as exc:
        raise XmlProblem(element.sourceline or 1, field, str(exc)) from None


def parse_currency_code(text: str, line: int, field: str) -> str:
    try:
        return parse_currency(text)
    except ValueError as exc:
        raise XmlProblem(line, field, str(exc)) from None


def optional_total(totals: etree._Element | None, name: str) -> Decimal | None:
    """The total ``name`` when given and readable: it only labels a prepayment, never fails."""
    node = None if totals is None else child(totals, name)
    try:
        return None if node is None else parse_amount(node, name)
    except XmlProblem:
        return None


def amount_due(
    totals: etree._Element, names: tuple[str, str], required: str, credit_hint: str
) -> tuple[Decimal, str]:
    """The first of (amount due, grand total) present, with its ``currencyID`` attribute.

    A negative amount is refused: credits arrive as credit notes (``credit_hint`` says how).
    ``required`` is the element the syntax makes mandatory, named when both are missing.
    """
    for name in names:
        node = child(totals, name)
        if node is not None:
            amount = parse_amount(node, name)
            if amount < 0:
                message = f"negative {name} {amount}: a credit must be {credit_hint}"
                raise XmlProblem(line_of(node), name, message)
            return amount, node.get("currencyID", "")
    raise XmlProblem(line_of(totals), required, f"missing {names[0]} and {names[1]}")


def label_for(number: str, credit_note: bool, referenced: str, payment_reference: str) -> str:
    """A credit note names the invoice it credits; an invoice its payment reference, if new."""
    if credit_note and referenced:
        return f"avoir sur {referenced}"
    return payment_reference if payment_reference != number else ""


def with_prepaid(label: str, due: Decimal, total: Decimal | None) -> str:
    """The amount stored is what is still due (BT-115); say so when a prepayment reduced it."""
    if total is None or total == due:
        return label
    note = f"total TTC {total}, déjà réglé {total - due}"
    return f"{label} ({note})" if label else note


def check_number(number: str, line: int, field: str) -> str:
    cleaned = " ".join(number.split())
    if not cleaned:
        raise XmlProblem(line, field, "missing document number")
    if len(cleaned) > 250:
        raise XmlProblem(line, field, "document number longer than 250 characters")
    return cleaned
