"""CDAR D22B status messages read as the French platforms write them (XP Z12-014 annex B):
namespaces by local name, reasons from ReasonCode/Reason or only an IncludedNote, amounts from
MEN/MPA characteristics, the status time in formats 204, 205 or xsd:dateTime."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.einvoicing.cdar_messages import status_xml

from encours.ingest.detect import CDAR, detect_format
from encours.ingest.einvoice.cdar import parse_cdar

# 210 Refusée whose motive travels only as notes, the second detail without any code (shape of
# a public example of the invopop/gobl.fr.ctc project)
NOTE_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<x:CrossDomainAcknowledgementAndResponse
  xmlns:x="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
  xmlns:r="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:u="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
  xmlns:q="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <x:ExchangedDocument>
    <r:ID>1787209819847F202500003</r:ID>
    <r:IssueDateTime><u:DateTimeString format="205">202608200710+0200</u:DateTimeString></r:IssueDateTime>
    <r:IssuerTradeParty>
      <r:GlobalID schemeID="0002">200000008</r:GlobalID><r:RoleCode>BY</r:RoleCode>
    </r:IssuerTradeParty>
    <r:RecipientTradeParty>
      <r:GlobalID schemeID="0002">100000009</r:GlobalID><r:RoleCode>SE</r:RoleCode>
    </r:RecipientTradeParty>
  </x:ExchangedDocument>
  <x:AcknowledgementDocument>
    <r:TypeCode>23</r:TypeCode>
    <r:ReferenceReferencedDocument>
      <r:IssuerAssignedID>F202500003</r:IssuerAssignedID>
      <r:FormattedIssueDateTime>
        <q:DateTimeString format="102">20250701</q:DateTimeString>
      </r:FormattedIssueDateTime>
      <r:ProcessConditionCode>210</r:ProcessConditionCode>
      <r:ProcessCondition>Refusée</r:ProcessCondition>
      <r:SpecifiedDocumentStatus>
        <r:ReasonCode>DOUBLON</r:ReasonCode><r:SequenceNumeric>1</r:SequenceNumeric>
        <r:IncludedNote><r:Content>Facture déjà reçue le 12/08/2026</r:Content></r:IncludedNote>
      </r:SpecifiedDocumentStatus>
      <r:SpecifiedDocumentStatus>
        <r:SequenceNumeric>2</r:SequenceNumeric>
        <r:IncludedNote><r:Content>Merci de ne pas réémettre cette facture</r:Content></r:IncludedNote>
      </r:SpecifiedDocumentStatus>
    </r:ReferenceReferencedDocument>
  </x:AcknowledgementDocument>
</x:CrossDomainAcknowledgementAndResponse>
"""


def test_detected_from_content_whatever_the_prefix() -> None:
    assert detect_format(NOTE_ONLY.encode()) == CDAR
    assert detect_format(status_xml("F1", 205).encode()) == CDAR


def test_reason_from_notes_time_with_its_zone_and_the_buyer() -> None:
    parsed = parse_cdar("refus.xml", NOTE_ONLY.encode())
    assert parsed.errors == ()
    [status] = parsed.statuses
    assert status.invoice_number == "F202500003" and status.code == 210
    assert status.invoice_date == dt.date(2025, 7, 1)
    assert status.at == dt.datetime(2026, 8, 20, 5, 10, tzinfo=dt.UTC)  # MDT-8, +02:00
    assert (status.reason_code, status.reason) == (
        "DOUBLON", "Facture déjà reçue le 12/08/2026 Merci de ne pas réémettre cette facture",
    )  # fmt: skip
    assert status.buyer_ids == ("200000008",)
    assert status.message_id == "1787209819847F202500003"
    assert (
        status.line
        == NOTE_ONLY.splitlines().index("      <r:IssuerAssignedID>F202500003</r:IssuerAssignedID>") + 1
    )


def test_paid_amount_and_french_local_time() -> None:
    parsed = parse_cdar("211.xml", status_xml("F1", 211, amount="12000.00", at="20250730100000").encode())
    [status] = parsed.statuses
    assert (status.amount, status.currency) == (Decimal("12000.00"), "EUR")
    assert status.at == dt.datetime(2025, 7, 30, 8, 0, tzinfo=dt.UTC)  # 10:00 in Paris, summer time


def test_iso_datetime_and_several_invoices_in_one_message() -> None:
    stamp = '<udt:DateTimeString format="204">20260301110500</udt:DateTimeString></ram:IssueDateTime>'
    follows = "\n    <ram:ReferenceReferencedDocument>"
    xml = status_xml("F1", 204, at="20260301110500").replace(
        stamp + follows, "<udt:DateTime>2026-03-01T09:05:00Z</udt:DateTime></ram:IssueDateTime>" + follows
    )
    second = xml[xml.index("<ram:ReferenceReferencedDocument>") : xml.index("</rsm:AcknowledgementDocument>")]
    xml = xml.replace(
        "</rsm:AcknowledgementDocument>", second.replace("F1<", "F2<") + "</rsm:AcknowledgementDocument>"
    )
    parsed = parse_cdar("multi.xml", xml.encode())
    assert parsed.errors == ()
    assert [(s.invoice_number, s.code) for s in parsed.statuses] == [("F1", 204), ("F2", 204)]
    assert {s.at for s in parsed.statuses} == {dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC)}  # not MDT-8


def test_implausible_amount_and_non_cdar_root_are_line_errors() -> None:
    parsed = parse_cdar("bad.xml", status_xml("F1", 211, amount="1e400").encode())
    assert [e.field for e in parsed.errors] == ["ValueAmount"] and parsed.statuses == ()
    parsed = parse_cdar("bad.xml", b"<?xml version='1.0'?>\n<Invoice/>")
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "")]
