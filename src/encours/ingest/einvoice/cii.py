"""UN/CEFACT Cross Industry Invoice (CII D16B), the XML inside Factur-X / ZUGFeRD.

Reads the EN 16931 business terms an receivable needs: number (BT-1), type (BT-3), issue date
(BT-2), due date (BT-9), currency (BT-5), amount due (BT-115, else grand total BT-112) and the
buyer (BT-44 name, BT-48 VAT, BT-47 legal id, BT-55 country, BT-49/BT-58 e-mail).
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
from encours.ingest.fields import yyyymmdd
from encours.ingest.parsed import ParsedFile
from encours.ingest.xmltree import child, children, line_of, local, text_of, xml_root

_SETTLEMENT = ("SupplyChainTradeTransaction", "ApplicableHeaderTradeSettlement")
_TOTALS = (*_SETTLEMENT, "SpecifiedTradeSettlementHeaderMonetarySummation")
_BUYER = ("SupplyChainTradeTransaction", "ApplicableHeaderTradeAgreement", "BuyerTradeParty")


def parse_cii(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    root, errors = xml_root(file, data)
    if root is None:
        return ParsedFile(file, detect.CII, errors=tuple(errors))
    return parse_cii_root(file, root, known, detect.CII)


def parse_cii_root(
    file: str, root: etree._Element, known: Mapping[str, Customer], format_name: str, note: str = ""
) -> ParsedFile:
    """Parse a CrossIndustryInvoice element; ``note`` is appended to error messages."""
    try:
        document = read_cii(root)
    except XmlProblem as problem:
        return problem_to_parsed(file, format_name, problem, note)
    return document_to_parsed(file, format_name, document, known)


def read_cii(root: etree._Element) -> Document:
    if local(root) != "CrossIndustryInvoice":
        raise XmlProblem(line_of(root), "CrossIndustryInvoice", f"not a CII invoice: root is {local(root)}")
    header = child(root, "ExchangedDocument")
    if header is None:
        raise XmlProblem(line_of(root), "ExchangedDocument", "missing ExchangedDocument (BT-1, BT-2)")
    number = check_number(text_of(header, "ID"), line_of(header), "ID")
    type_code = text_of(header, "TypeCode")
    issue = _date(header, ("IssueDateTime", "DateTimeString"), "IssueDateTime", required=True)
    if issue is None:  # pragma: no cover - required=True raises instead
        raise XmlProblem(line_of(header), "IssueDateTime", "missing issue date")
    settlement = child(root, *_SETTLEMENT)
    if settlement is None:
        raise XmlProblem(line_of(root), "ApplicableHeaderTradeSettlement", "missing trade settlement")
    amount, currency_attr = _amount(root)
    currency_text = text_of(settlement, "InvoiceCurrencyCode") or currency_attr
    currency = parse_currency_code(currency_text, line_of(settlement), "InvoiceCurrencyCode")
    due = None
    for terms in children(settlement, "SpecifiedTradePaymentTerms"):
        due = due or _date(terms, ("DueDateDateTime", "DateTimeString"), "DueDateDateTime", required=False)
    return Document(
        number=number,
        credit_note=type_code in CREDIT_NOTE_TYPES,
        issue_date=issue,
        due_date=due,
        amount=amount,
        currency=currency,
        buyer=_buyer(root),
        label=with_prepaid(
            _label(settlement, number, type_code in CREDIT_NOTE_TYPES), amount, grand_total(root)
        ),
        line=line_of(header),
    )


def _date(parent: etree._Element, path: tuple[str, ...], field: str, *, required: bool) -> dt.date | None:
    node = child(parent, *path)
    if node is None:
        if required:
            raise XmlProblem(line_of(parent), field, f"missing {field}")
        return None
    text = (node.text or "").strip()
    if node.get("format", "102") != "102":
        raise XmlProblem(
            line_of(node), field, f"unsupported date format {node.get('format')!r}, expected 102"
        )
    try:
        return yyyymmdd(text)
    except ValueError as exc:
        raise XmlProblem(line_of(node), field, str(exc)) from None


def grand_total(root: etree._Element) -> Decimal | None:
    """The total incl. tax (BT-112) when it is given and readable."""
    return optional_total(child(root, *_TOTALS), "GrandTotalAmount")


def _amount(root: etree._Element) -> tuple[Decimal, str]:
    totals = child(root, *_TOTALS)
    if totals is None:
        raise XmlProblem(line_of(root), "SpecifiedTradeSettlementHeaderMonetarySummation", "missing totals")
    names = ("DuePayableAmount", "GrandTotalAmount")
    return amount_due(totals, names, "GrandTotalAmount", "a credit note (type 381)")


def _buyer(root: etree._Element) -> Buyer:
    party = child(root, *_BUYER)
    if party is None:
        raise XmlProblem(line_of(root), "BuyerTradeParty", "missing buyer (BG-7)")
    name = text_of(party, "Name")
    if not name:
        where = child(party, "Name")
        line = line_of(party if where is None else where)
        raise XmlProblem(line, "BuyerTradeParty/Name", "missing buyer name (BT-44)")
    vat = next(
        (text_of(n) for n in children(party, "SpecifiedTaxRegistration", "ID") if n.get("schemeID") == "VA"),
        None,
    )
    ids = [text_of(n) for n in children(party, "SpecifiedLegalOrganization", "ID")]
    ids += [text_of(n) for n in children(party, "GlobalID") if n.get("schemeID") in ("0002", "0009")]
    emails = [
        text_of(n) for n in children(party, "URIUniversalCommunication", "URIID") if n.get("schemeID") == "EM"
    ]
    emails += [
        text_of(n) for n in children(party, "DefinedTradeContact", "EmailURIUniversalCommunication", "URIID")
    ]
    return Buyer(
        name=" ".join(name.split()),
        vat_number=vat,
        registration_ids=tuple(i for i in ids if i),
        country=text_of(party, "PostalTradeAddress", "CountryID") or None,
        email=next((e for e in emails if e), None),
        address=_address(child(party, "PostalTradeAddress")),
        phone=text_of(party, "DefinedTradeContact", "TelephoneUniversalCommunication", "CompleteNumber")
        or None,
    )


def _address(node: etree._Element | None) -> PostalAddress | None:
    if node is None:
        return None
    lines = [text_of(node, name) for name in ("LineOne", "LineTwo", "LineThree")]
    return postal_address(lines, text_of(node, "PostcodeCode"), text_of(node, "CityName"))


def _label(settlement: etree._Element, number: str, credit_note: bool) -> str:
    referenced = text_of(settlement, "InvoiceReferencedDocument", "IssuerAssignedID")
    return label_for(number, credit_note, referenced, text_of(settlement, "PaymentReference"))
