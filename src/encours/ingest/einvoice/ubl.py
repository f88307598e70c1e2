"""OASIS UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS, French CTC profiles).

Reads: number (BT-1), type (BT-3), issue date (BT-2), due date (BT-9, also in
PaymentMeans/PaymentDueDate), currency (BT-5), amount due (BT-115 PayableAmount, else BT-112
TaxInclusiveAmount) and the buyer (BT-44 legal name, else trading name; BT-48 VAT; BT-47
legal id; SIRET party identifiers; country; e-mail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from lxml import etree

from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.einvoice.common import (
    CREDIT_NOTE_TYPES,
    Buyer,
    Document,
    PostalAddress,
    XmlProblem,
    amount_due,
    check_number,
    document_to_parsed,
    label_for,
    optional_total,
    parse_currency_code,
    postal_address,
    problem_to_parsed,
    with_prepaid,
)
from encours.ingest.fields import plausible_date
from encours.ingest.parsed import ParsedFile
from encours.ingest.xmltree import child, children, line_of, local, text_of, xml_root

_ROOTS = ("Invoice", "CreditNote")


def parse_ubl(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    root, errors = xml_root(file, data)
    if root is None:
        return ParsedFile(file, detect.UBL, errors=tuple(errors))
    try:
        document = read_ubl(root)
    except XmlProblem as problem:
        return problem_to_parsed(file, detect.UBL, problem)
    return document_to_parsed(file, detect.UBL, document, known)


def read_ubl(root: etree._Element) -> Document:
    kind = local(root)
    if kind not in _ROOTS:
        raise XmlProblem(line_of(root), kind, f"not a UBL invoice or credit note: root is {kind}")
    number = check_number(text_of(root, "ID"), line_of(root), "ID")
    type_code = text_of(root, f"{kind}TypeCode")
    issue = _date(root, ("IssueDate",), required=True)
    if issue is None:  # pragma: no cover - required=True raises instead
        raise XmlProblem(line_of(root), "IssueDate", "missing issue date")
    due = _date(root, ("DueDate",), required=False) or _date(
        root, ("PaymentMeans", "PaymentDueDate"), required=False
    )
    amount, currency_attr = _amount(root)
    currency_text = text_of(root, "DocumentCurrencyCode") or currency_attr
    credit_note = kind == "CreditNote" or type_code in CREDIT_NOTE_TYPES
    return Document(
        number=number,
        credit_note=credit_note,
        issue_date=issue,
        due_date=due,
        amount=amount,
        currency=parse_currency_code(currency_text, line_of(root), "DocumentCurrencyCode"),
        buyer=_buyer(root),
        label=with_prepaid(_label(root, number, credit_note), amount, grand_total(root)),
        line=line_of(child(root, "ID")) if child(root, "ID") is not None else line_of(root),
    )


def _date(parent: etree._Element, path: tuple[str, ...], *, required: bool) -> dt.date | None:
    node = child(parent, *path)
    field = path[-1]
    if node is None:
        if required:
            raise XmlProblem(line_of(parent), field, f"missing {field}")
        return None
    text = (node.text or "").strip()
    try:
        day = dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
    except ValueError:
        raise XmlProblem(line_of(node), field, f"invalid date {text[:40]!r}, expected YYYY-MM-DD") from None
    try:
        return plausible_date(day)
    except ValueError as exc:
        raise XmlProblem(line_of(node), field, str(exc)) from None


def grand_total(root: etree._Element) -> Decimal | None:
    """The total incl. tax (BT-112) when it is given and readable."""
    return optional_total(child(root, "LegalMonetaryTotal"), "TaxInclusiveAmount")


def _amount(root: etree._Element) -> tuple[Decimal, str]:
    totals = child(root, "LegalMonetaryTotal")
    if totals is None:
        raise XmlProblem(line_of(root), "LegalMonetaryTotal", "missing LegalMonetaryTotal (BG-22)")
    return amount_due(totals, ("PayableAmount", "TaxInclusiveAmount"), "PayableAmount", "a CreditNote")


def _buyer(root: etree._Element) -> Buyer:
    party = child(root, "AccountingCustomerParty", "Party")
    if party is None:
        raise XmlProblem(line_of(root), "AccountingCustomerParty", "missing buyer (BG-7)")
    name = text_of(party, "PartyLegalEntity", "RegistrationName") or text_of(party, "PartyName", "Name")
    if not name:
        where = child(party, "PartyLegalEntity", "RegistrationName")
        line = line_of(party if where is None else where)
        raise XmlProblem(line, "RegistrationName", "missing buyer name (BT-44)")
    vat = next(
        (
            text_of(scheme, "CompanyID")
            for scheme in children(party, "PartyTaxScheme")
            if text_of(scheme, "TaxScheme", "ID").upper() == "VAT"
        ),
        None,
    )
    ids = [text_of(n) for n in children(party, "PartyLegalEntity", "CompanyID")]
    ids += [
        text_of(n)
        for n in children(party, "PartyIdentification", "ID")
        if n.get("schemeID") in ("0002", "0009")
    ]
    endpoint = child(party, "EndpointID")
    emails = [text_of(party, "Contact", "ElectronicMail")]
    if endpoint is not None and endpoint.get("schemeID") == "EM":
        emails.insert(0, text_of(endpoint))
    return Buyer(
        name=" ".join(name.split()),
        vat_number=vat,
        registration_ids=tuple(i for i in ids if i),
        country=text_of(party, "PostalAddress", "Country", "IdentificationCode") or None,
        email=next((e for e in emails if e), None),
        address=_address(child(party, "PostalAddress")),
        phone=text_of(party, "Contact", "Telephone") or None,
    )


def _address(node: etree._Element | None) -> PostalAddress | None:
    if node is None:
        return None
    lines = [text_of(node, "StreetName"), text_of(node, "AdditionalStreetName")]
    lines += [text_of(n, "Line") for n in children(node, "AddressLine")]
    return postal_address(lines, text_of(node, "PostalZone"), text_of(node, "CityName"))


def _label(root: etree._Element, number: str, credit_note: bool) -> str:
    referenced = text_of(root, "BillingReference", "InvoiceDocumentReference", "ID")
    return label_for(number, credit_note, referenced, text_of(root, "PaymentMeans", "PaymentID"))
