"""CDAR D22B status messages shaped like the XP Z12-014 annex B examples (FNFE-MPE): the buyer's
platform tells the seller the status of one invoice, with a reason or an amount when it has one."""

from __future__ import annotations

from xml.sax.saxutils import escape

SELLER = "123456789"


def status_xml(
    invoice: str,
    code: int,
    *,
    at: str = "20260301100500",
    issued: str = "20260101",
    buyer: str = "732829320",
    reason_code: str = "",
    reason: str = "",
    amount: str = "",
    label: str = "",
    prefix: str = "ram",
) -> str:
    """One message; ``prefix`` renames the ram namespace prefix (readers must not care)."""
    p = prefix
    detail = ""
    if reason_code or reason or amount:
        parts = [f"<{p}:ReasonCode>{escape(reason_code)}</{p}:ReasonCode>" if reason_code else "",
                 f"<{p}:Reason>{escape(reason)}</{p}:Reason>" if reason else "",
                 f"<{p}:SequenceNumeric>1</{p}:SequenceNumeric>"]  # fmt: skip
        if amount:
            parts.append(
                f"<{p}:SpecifiedDocumentCharacteristic><{p}:TypeCode>MPA</{p}:TypeCode>"
                f'<{p}:ValueAmount currencyID="EUR">{amount}</{p}:ValueAmount>'
                f"</{p}:SpecifiedDocumentCharacteristic>"
            )
        detail = f"<{p}:SpecifiedDocumentStatus>{''.join(parts)}</{p}:SpecifiedDocumentStatus>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse
    xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
    xmlns:{p}="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <{p}:BusinessProcessSpecifiedDocumentContextParameter><{p}:ID>REGULATED</{p}:ID>
    </{p}:BusinessProcessSpecifiedDocumentContextParameter>
    <{p}:GuidelineSpecifiedDocumentContextParameter><{p}:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</{p}:ID>
    </{p}:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <{p}:ID>{escape(invoice)}_{code}_{at}</{p}:ID>
    <{p}:IssueDateTime><udt:DateTimeString format="204">{at}</udt:DateTimeString></{p}:IssueDateTime>
    <{p}:SenderTradeParty><{p}:RoleCode>WK</{p}:RoleCode></{p}:SenderTradeParty>
    <{p}:IssuerTradeParty>
      <{p}:GlobalID schemeID="0002">{buyer}</{p}:GlobalID><{p}:Name>ACHETEUR</{p}:Name>
      <{p}:RoleCode>BY</{p}:RoleCode>
    </{p}:IssuerTradeParty>
    <{p}:RecipientTradeParty>
      <{p}:GlobalID schemeID="0002">{SELLER}</{p}:GlobalID><{p}:Name>VENDEUR</{p}:Name>
      <{p}:RoleCode>SE</{p}:RoleCode>
      <{p}:URIUniversalCommunication><{p}:URIID schemeID="0225">{SELLER}</{p}:URIID>
      </{p}:URIUniversalCommunication>
    </{p}:RecipientTradeParty>
  </rsm:ExchangedDocument>
  <rsm:AcknowledgementDocument>
    <{p}:MultipleReferencesIndicator><udt:Indicator>false</udt:Indicator></{p}:MultipleReferencesIndicator>
    <{p}:TypeCode>23</{p}:TypeCode>
    <{p}:IssueDateTime><udt:DateTimeString format="204">{at}</udt:DateTimeString></{p}:IssueDateTime>
    <{p}:ReferenceReferencedDocument>
      <{p}:IssuerAssignedID>{escape(invoice)}</{p}:IssuerAssignedID>
      <{p}:StatusCode>46</{p}:StatusCode>
      <{p}:TypeCode>380</{p}:TypeCode>
      <{p}:FormattedIssueDateTime><qdt:DateTimeString format="102">{issued}</qdt:DateTimeString>
      </{p}:FormattedIssueDateTime>
      <{p}:ProcessConditionCode>{code}</{p}:ProcessConditionCode>
      <{p}:ProcessCondition>{escape(label or str(code))}</{p}:ProcessCondition>
      <{p}:IssuerTradeParty><{p}:GlobalID schemeID="0002">{SELLER}</{p}:GlobalID></{p}:IssuerTradeParty>
      {detail}
    </{p}:ReferenceReferencedDocument>
  </rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>
"""
