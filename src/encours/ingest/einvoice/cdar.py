"""CDAR D22B lifecycle messages (CrossDomainAcknowledgementAndResponse, Flux 6) -> statuses.

Read as the French platforms write them (XP Z12-014 annex B): one ``AcknowledgementDocument``
per status, each ``ReferenceReferencedDocument`` naming an invoice (``IssuerAssignedID``,
MDT-87; its date in ``FormattedIssueDateTime``, MDT-100) with its status code
(``ProcessConditionCode``, MDT-105), a reason (``SpecifiedDocumentStatus/ReasonCode`` and
``Reason``, else an ``IncludedNote``) and amounts (``SpecifiedDocumentCharacteristic`` MEN
received, MPA paid). The status time is ``AcknowledgementDocument/IssueDateTime`` (MDT-78),
else the message's (MDT-8); times without a zone are French local time. Elements are found by
local name, so any namespace prefix reads alike. Pure: no database, every problem a line error.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from lxml import etree

from encours.domain.errors import LedgerError
from encours.domain.money import to_decimal
from encours.domain.plausibility import MAX_FIELD, amount_problem, date_problem
from encours.ingest.fields import parse_currency
from encours.ingest.xmltree import child, children, line_of, local, text_of, xml_root

PARIS = ZoneInfo("Europe/Paris")
ROOT = "CrossDomainAcknowledgementAndResponse"
MAX_TEXT = MAX_FIELD
PAID_AMOUNT_TYPES = ("MPA", "MEN")  # amount paid (211), amount received (212)


class LifecycleStatus(NamedTuple):
    """One status of one invoice, as the message states it."""

    invoice_number: str
    invoice_date: dt.date | None
    code: int
    stated_label: str  # ProcessCondition as written (``En_litige``)
    at: dt.datetime  # UTC
    reason_code: str
    reason: str
    amount: Decimal | None
    currency: str | None
    amount_date: dt.date | None  # the characteristic's own date (e.g. payment date), if any
    buyer_ids: tuple[str, ...]  # SIREN/SIRET of parties with role BY
    message_id: str
    line: int  # of the invoice number


class ParsedStatuses(NamedTuple):
    file: str
    statuses: tuple[LifecycleStatus, ...] = ()
    errors: tuple[LedgerError, ...] = ()


class _Problem(ValueError):
    def __init__(self, element: etree._Element | None, field: str, message: str) -> None:
        super().__init__(message)
        self.line, self.field = line_of(element), field


_FORMATS = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S"}
_BY_LENGTH = {8: "102", 12: "203", 14: "204"}


def _moment(holder: etree._Element | None, field: str) -> dt.datetime | None:
    """A ``DateTimeString`` (formats 102, 203, 204, 205) or ``DateTime`` child, in UTC."""
    if holder is None:
        return None
    node = child(holder, "DateTimeString")
    if node is None:
        node = child(holder, "DateTime")
    text = text_of(node)
    if node is None or not text:
        raise _Problem(holder, field, "date missing")
    try:
        if local(node) == "DateTime":
            moment = dt.datetime.fromisoformat(text)
        else:
            code = node.get("format") or _BY_LENGTH.get(len(text), "")
            if code == "205":  # CCYYMMDDHHMMZHHMM
                moment = dt.datetime.strptime(text, "%Y%m%d%H%M%z")
            elif code in _FORMATS:
                moment = dt.datetime.strptime(text, _FORMATS[code]).replace(tzinfo=PARIS)  # French local time
            else:
                raise ValueError
    except ValueError:
        raise _Problem(node, field, f"invalid date {text!r}") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
    if date_problem(moment.date()):
        raise _Problem(node, field, f"implausible date {text!r} (expected 1990 to 2100)")
    return moment.astimezone(dt.UTC)


def _amount(status: etree._Element) -> tuple[Decimal | None, str | None, dt.date | None]:
    for characteristic in children(status, "SpecifiedDocumentCharacteristic"):
        if text_of(characteristic, "TypeCode").upper() not in PAID_AMOUNT_TYPES:
            continue
        node = child(characteristic, "ValueAmount")
        if node is None or not text_of(node):
            continue
        text = text_of(node)
        if not re.fullmatch(r"-?\d{1,15}(\.\d{1,2})?", text) or amount_problem(value := to_decimal(text)):
            raise _Problem(node, "ValueAmount", f"invalid or implausible amount {text!r}")
        currency = None
        if node.get("currencyID"):
            try:
                currency = parse_currency(node.get("currencyID", ""))
            except ValueError as exc:
                raise _Problem(node, "currencyID", str(exc)) from None
        when = _moment(child(characteristic, "ValueDateTime"), "ValueDateTime")
        return value, currency, when.astimezone(PARIS).date() if when else None
    return None, None, None


def _reason(reference: etree._Element) -> tuple[str, str]:
    """(code, text) of the first status detail that has one; notes stand in for a missing text."""
    codes: list[str] = []
    texts: list[str] = []
    for status in children(reference, "SpecifiedDocumentStatus"):
        if text_of(status, "ReasonCode"):
            codes.append(text_of(status, "ReasonCode"))
        texts += [text_of(node) for node in children(status, "Reason") if text_of(node)]
        texts += [text_of(node) for node in children(status, "IncludedNote", "Content") if text_of(node)]
    reason = " ".join(" ".join(texts).split())
    return (codes[0] if codes else "")[:64], reason[:MAX_TEXT]


def _buyer_ids(*parties: etree._Element) -> tuple[str, ...]:
    found = []
    for party in parties:
        if text_of(party, "RoleCode").upper() == "BY":
            found += [text_of(node) for node in children(party, "GlobalID") if text_of(node)]
    return tuple(dict.fromkeys(found))


def _code(reference: etree._Element, acknowledgement: etree._Element) -> tuple[int, str]:
    node = child(reference, "ProcessConditionCode")
    if node is None or not text_of(node):
        node = child(acknowledgement, "ProcessConditionCode")
    if node is None or not text_of(node):
        nodes = children(reference, "SpecifiedDocumentStatus", "ProcessConditionCode")
        node = nodes[0] if nodes else None
    text = text_of(node)
    if not re.fullmatch(r"\d{3}", text):
        where = node if node is not None else reference
        raise _Problem(where, "ProcessConditionCode", f"expected a 3-digit status code, got {text!r}")
    stated = text_of(reference, "ProcessCondition") or text_of(acknowledgement, "ProcessCondition")
    return int(text), stated[:128]


def _status(
    file: str, reference: etree._Element, acknowledgement: etree._Element, header: etree._Element
) -> LifecycleStatus:
    number_node = child(reference, "IssuerAssignedID")
    number = " ".join(text_of(number_node).split())
    if not number:
        raise _Problem(reference, "IssuerAssignedID", "the invoice number (MDT-87) is missing")
    if len(number) > 255:
        raise _Problem(number_node, "IssuerAssignedID", "invoice number too long")
    code, stated = _code(reference, acknowledgement)
    at = _moment(child(acknowledgement, "IssueDateTime"), "IssueDateTime") or _moment(
        child(header, "IssueDateTime"), "IssueDateTime"
    )
    if at is None:
        raise _Problem(acknowledgement, "IssueDateTime", "the status has no date (MDT-78 or MDT-8)")
    issued = _moment(child(reference, "FormattedIssueDateTime"), "FormattedIssueDateTime")
    amount: tuple[Decimal | None, str | None, dt.date | None] = (None, None, None)
    for status in children(reference, "SpecifiedDocumentStatus"):
        amount = _amount(status)
        if amount[0] is not None:
            break
    reason_code, reason = _reason(reference)
    parties = [*children(header, "IssuerTradeParty"), *children(header, "RecipientTradeParty"),
               *children(reference, "RecipientTradeParty")]  # fmt: skip
    return LifecycleStatus(
        number,
        issued.astimezone(PARIS).date() if issued else None,
        code,
        stated,
        at,
        reason_code,
        reason,
        *amount,
        _buyer_ids(*parties),
        text_of(header, "ID")[:255],
        line_of(number_node),
    )


def parse_cdar(file: str, data: bytes) -> ParsedStatuses:
    """Every status of the message, or every error (a file is all or nothing)."""
    root, errors = xml_root(file, data)
    if root is None:
        return ParsedStatuses(file, errors=tuple(errors))
    if local(root) != ROOT:
        return ParsedStatuses(
            file, errors=(LedgerError(file, line_of(root), "", f"not a CDAR message: <{local(root)}>"),)
        )
    header = child(root, "ExchangedDocument")
    if header is None:
        header = etree.Element("ExchangedDocument")
    found: list[LifecycleStatus] = []
    problems: list[LedgerError] = []
    acknowledgements = children(root, "AcknowledgementDocument")
    for acknowledgement in acknowledgements:
        references = children(acknowledgement, "ReferenceReferencedDocument")
        if not references:
            problems.append(LedgerError(file, line_of(acknowledgement), "ReferenceReferencedDocument",
                                        "the status names no invoice"))  # fmt: skip
        for reference in references:
            try:
                found.append(_status(file, reference, acknowledgement, header))
            except _Problem as problem:
                problems.append(LedgerError(file, problem.line, problem.field, str(problem)))
    if not acknowledgements:
        problems.append(
            LedgerError(file, line_of(root), "AcknowledgementDocument", "no status in the message")
        )
    if problems:
        return ParsedStatuses(file, errors=tuple(problems))
    return ParsedStatuses(file, tuple(found))
