"""OFX bank statements: 1.x SGML (unclosed tags, the French "Money" download) and 2.x XML.

``ofxtools`` reads the header and builds the element tree for both dialects. Its model
layer (``convert``) is not used: it rejects files banks really send (several transaction
lists in one statement, a bank id longer than 9 characters). The few fields a receipt needs
are read from the tree and validated here.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal

from ofxtools.header import OFXHeaderError
from ofxtools.Parser import OFXTree, ParseError

from encours.domain.errors import LedgerError
from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.bank.common import Receipt, parse_positive_amount, receipts_to_parsed
from encours.ingest.fields import parse_currency, yyyymmdd
from encours.ingest.parsed import ParsedFile

_POSITION = re.compile(r"position=\[(\d+):")


def parse_ofx(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    text = data.decode("latin-1")  # one character per byte: offsets map onto lines
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except (ParseError, OFXHeaderError, AssertionError, ValueError, UnicodeDecodeError) as exc:
        line = _error_line(text, str(exc))
        reason = str(exc).split(" in ", 1)[0].split(" - position", 1)[0][:120] or type(exc).__name__
        message = f"malformed OFX: {reason}"
        return ParsedFile(file, detect.OFX, errors=(LedgerError(file, line, "", message),))
    root = tree.getroot()
    if root is None:  # pragma: no cover - parse() sets it or raises
        return ParsedFile(file, detect.OFX, errors=(LedgerError(file, 1, "", "empty OFX file"),))
    offsets = iter(match.start() for match in re.finditer(r"<STMTTRN>", text))
    receipts: list[Receipt] = []
    errors: list[LedgerError] = []
    statements = [node for node in root.iter() if node.tag in ("STMTRS", "CCSTMTRS")]
    if not statements:
        errors.append(LedgerError(file, 1, "STMTRS", "no bank or card statement in this OFX file"))
    for statement in statements:
        currency = _text(statement, "CURDEF")
        account = "-".join(
            part
            for part in (
                _text(statement, f"BANKACCTFROM/{name}") for name in ("BANKID", "BRANCHID", "ACCTID")
            )
            if part
        )
        for transaction in statement.iter("STMTTRN"):
            offset = next(offsets, 0)
            try:
                receipt = _receipt(transaction, account, currency, _line(text, offset))
            except _Problem as problem:
                line = _line(text, offset, problem.field)
                errors.append(LedgerError(file, line, problem.field, str(problem)))
                continue
            # a credit on a card account is a refund, not a customer receipt
            if receipt is not None and statement.tag == "STMTRS":
                receipts.append(receipt)
    return receipts_to_parsed(file, detect.OFX, receipts, known, errors)


class _Problem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _receipt(transaction: ET.Element, account: str, default_currency: str, line: int) -> Receipt | None:
    """Every transaction is validated; only credits (positive amounts) are receipts."""
    amount = _signed_amount(_required(transaction, "TRNAMT"))
    posted = _required(transaction, "DTPOSTED")
    try:
        day = yyyymmdd(posted[:8])  # the bank's own calendar day, whatever the time zone
    except ValueError:
        raise _Problem("DTPOSTED", f"invalid date {posted!r}") from None
    currency_text = _text(transaction, "CURRENCY/CURSYM") or default_currency
    try:
        currency = parse_currency(currency_text)
    except ValueError as exc:
        raise _Problem("CURDEF", str(exc)) from None
    if amount <= 0:
        return None
    return Receipt(
        account=account,
        date=day,
        amount=amount,
        currency=currency,
        bank_ref=_text(transaction, "FITID"),
        debtor_name=_text(transaction, "NAME") or _text(transaction, "PAYEE/NAME"),
        remittance=_text(transaction, "MEMO"),
        line=line,
    )


def _signed_amount(text: str) -> Decimal:
    cleaned = text.strip().replace(" ", "")
    sign = -1 if cleaned.startswith("-") else 1
    try:
        return sign * parse_positive_amount(cleaned.lstrip("+-"))
    except ValueError:
        raise _Problem("TRNAMT", f"invalid amount {text!r}") from None


def _required(element: ET.Element, path: str) -> str:
    value = _text(element, path)
    if not value:
        raise _Problem(path, f"missing {path}")
    return value


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    return "" if found is None or found.text is None else found.text.strip()


def _line(text: str, offset: int, tag: str = "") -> int:
    """1-based line of the transaction starting at ``offset``, or of its ``tag`` element.

    The tree keeps no positions, so the field is searched for within the transaction's text.
    """
    if tag and "/" not in tag:
        end = text.find("</STMTTRN>", offset)
        found = text.find(f"<{tag}>", offset, end if end >= 0 else len(text))
        found = found if found >= 0 and (end < 0 or found < end) else -1
        offset = found if found >= 0 else offset
    return text.count("\n", 0, offset) + 1


def _error_line(text: str, message: str) -> int:
    """Line of a parse error: ofxtools gives an offset into the body after the header."""
    found = _POSITION.search(message)
    start = text.find("<OFX>")
    if not found or start < 0:
        return 1
    return text.count("\n", 0, start + int(found.group(1))) + 1
