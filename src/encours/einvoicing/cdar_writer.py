"""A 212 Encaissée lifecycle message (CDAR D22B, Flux 6) for one payment applied to an invoice.

Shaped as XP Z12-014 annex B shows it: the seller (role SE, SIREN scheme 0002) reports to the
buyer (role BY) that it received an amount (MEN, with the VAT rate the schematron requires)
for its invoice (number MDT-87, date MDT-100, seller SIREN MDT-129). The status date is the
payment's date, so the same payment always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import NamedTuple

from lxml import etree

from encours.einvoicing.statuses import COLLECTED, label

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
GUIDELINE = "urn.cpro.gouv.fr:1p0:CDV:invoice"
SIREN_SCHEME = "0002"
PROCESSING = "23"  # MDT-77: a processing status (not a transmission one, 305)
INVOICE_TYPE = "380"


class Party(NamedTuple):
    siren: str
    name: str


class Collected(NamedTuple):
    """What a 212 states: the invoice, the amount received and when, who tells whom."""

    message_id: str
    invoice_number: str
    invoice_date: dt.date
    received_on: dt.date
    amount: Decimal
    currency: str
    vat_rate: Decimal
    seller: Party
    buyer: Party


def safe_id(text: str) -> str:
    """An identifier as BR-FR-01 wants it: letters, digits and ``+-_/`` only."""
    return re.sub(r"[^A-Za-z0-9+\-_/]", "-", text).strip("-") or "X"


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _moment(parent: etree._Element, name: str, day: dt.date) -> None:
    _el(_el(parent, RAM, name), UDT, "DateTimeString", day.strftime("%Y%m%d") + "000000", format="204")


def _party(parent: etree._Element, name: str, party: Party, role: str) -> None:
    node = _el(parent, RAM, name)
    _el(node, RAM, "GlobalID", party.siren, schemeID=SIREN_SCHEME)
    _el(node, RAM, "Name", party.name[:255])
    _el(node, RAM, "RoleCode", role)
    _el(_el(node, RAM, "URIUniversalCommunication"), RAM, "URIID", party.siren, schemeID="0225")


def collected_message(status: Collected) -> bytes:
    """The message as UTF-8 bytes with an XML declaration."""
    root = etree.Element(f"{{{RSM}}}CrossDomainAcknowledgementAndResponse", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    _el(_el(context, RAM, "BusinessProcessSpecifiedDocumentContextParameter"), RAM, "ID", "REGULATED")
    _el(_el(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", GUIDELINE)
    header = _el(root, RSM, "ExchangedDocument")
    _el(header, RAM, "ID", status.message_id)
    _el(header, RAM, "Name", f"CDV-{COLLECTED} {label(COLLECTED, 'fr')} {status.invoice_number}")
    _moment(header, "IssueDateTime", status.received_on)
    _el(_el(header, RAM, "SenderTradeParty"), RAM, "RoleCode", "SE")
    _party(header, "IssuerTradeParty", status.seller, "SE")
    _party(header, "RecipientTradeParty", status.buyer, "BY")
    acknowledgement = _el(root, RSM, "AcknowledgementDocument")
    _el(_el(acknowledgement, RAM, "MultipleReferencesIndicator"), UDT, "Indicator", "false")
    _el(acknowledgement, RAM, "TypeCode", PROCESSING)
    _moment(acknowledgement, "IssueDateTime", status.received_on)
    reference = _el(acknowledgement, RAM, "ReferenceReferencedDocument")
    _el(reference, RAM, "IssuerAssignedID", status.invoice_number)
    _el(reference, RAM, "TypeCode", INVOICE_TYPE)
    issued = _el(reference, RAM, "FormattedIssueDateTime")
    _el(issued, QDT, "DateTimeString", status.invoice_date.strftime("%Y%m%d"), format="102")
    _el(reference, RAM, "ProcessConditionCode", str(COLLECTED))
    _el(reference, RAM, "ProcessCondition", label(COLLECTED, "fr"))
    _el(_el(reference, RAM, "IssuerTradeParty"), RAM, "GlobalID", status.seller.siren, schemeID=SIREN_SCHEME)
    detail = _el(reference, RAM, "SpecifiedDocumentStatus")
    _el(detail, RAM, "SequenceNumeric", "1")
    characteristic = _el(detail, RAM, "SpecifiedDocumentCharacteristic")
    _el(characteristic, RAM, "TypeCode", "MEN")
    _el(characteristic, RAM, "ValueAmount", f"{status.amount:.2f}", currencyID=status.currency)
    _el(characteristic, RAM, "ValuePercent", f"{status.vat_rate:.2f}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
