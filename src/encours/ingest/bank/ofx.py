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
from encours.ingest.bank.common import (
    Receipt,
    parse_currency,
    parse_positive_amount,
    receipts_to_parsed,
    yyyymmdd,
)
from encours.ingest.parsed import ParsedFile

_POSITION = re.compile(r"position=\[(\d+):")


def parse_ofx(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    text = data.decode("latin-1")  # one character per byte: offsets map onto lines
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except (ParseError, OFXHeaderError, AssertionError, ValueError, UnicodeDecodeError) as exc:
        line = _error_line(text, str(exc))
        message = f"malformed OFX: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        return ParsedFile(file, detect.OFX, errors=(LedgerError(file, line, "", message),))
    root = tree.getroot()
    if root is None:  # pragma: no cover - parse() sets it or raises
        return ParsedFile(file, detect.OFX, errors=(LedgerError(file, 1, "", "empty OFX file"),))
    lines = iter(_tag_lines(text, "STMTTRN"))
    receipts: list[Receipt] = []
    errors: list[LedgerError] = []
    statements = list(root.iter("STMTRS"))
    if not statements:
        errors.append(LedgerError(file, 1, "STMTRS", "no bank statement in this OFX file"))
    for statement in root.iter():
        if statement.tag not in ("STMTRS", "CCSTMTRS"):
            continue
        currency = _text(statement, "CURDEF")
        account = "-".join(
            part
            for part in (
                _text(statement, f"BANKACCTFROM/{name}") for name in ("BANKID", "BRANCHID", "ACCTID")
            )
            if part
        )
        for transaction in statement.iter("STMTTRN"):
            line = next(lines, 1)
            if statement.tag != "STMTRS":  # a credit on a card account is a refund, not a receipt
                continue
            try:
                receipt = _receipt(transaction, account, currency, line)
            except ValueError as exc:
                field = exc.args[1] if len(exc.args) > 1 else ""
                errors.append(LedgerError(file, line, field, str(exc.args[0])))
                continue
            if receipt is not None:
                receipts.append(receipt)
    return receipts_to_parsed(file, detect.OFX, receipts, known, errors)


def _receipt(transaction: ET.Element, account: str, default_currency: str, line: int) -> Receipt | None:
    amount = _signed_amount(_required(transaction, "TRNAMT"))
    if amount <= 0:
        return None
    posted = _required(transaction, "DTPOSTED")
    try:
        day = yyyymmdd(posted[:8])  # the bank's own calendar day, whatever the time zone
    except ValueError:
        raise ValueError(f"invalid date {posted!r}", "DTPOSTED") from None
    currency_text = _text(transaction, "CURRENCY/CURSYM") or default_currency
    try:
        currency = parse_currency(currency_text)
    except ValueError as exc:
        raise ValueError(str(exc), "CURDEF") from None
    name = _text(transaction, "NAME") or _text(transaction, "PAYEE/NAME")
    memo = _text(transaction, "MEMO")
    return Receipt(
        account=account,
        date=day,
        amount=amount,
        currency=currency,
        bank_ref=_text(transaction, "FITID"),
        debtor_name=name,
        remittance=memo,
        line=line,
    )


def _signed_amount(text: str) -> Decimal:
    cleaned = text.strip().replace(" ", "")
    sign = -1 if cleaned.startswith("-") else 1
    try:
        return sign * parse_positive_amount(cleaned.lstrip("+-"))
    except ValueError:
        raise ValueError(f"invalid amount {text!r}", "TRNAMT") from None


def _required(element: ET.Element, path: str) -> str:
    value = _text(element, path)
    if not value:
        raise ValueError(f"missing {path}", path)
    return value


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    return "" if found is None or found.text is None else found.text.strip()


def _tag_lines(text: str, tag: str) -> list[int]:
    """1-based line of each opening tag, in document order (the tree keeps no positions)."""
    return [text.count("\n", 0, match.start()) + 1 for match in re.finditer(rf"<{tag}>", text)]


def _error_line(text: str, message: str) -> int:
    """Line of a parse error: ofxtools gives an offset into the body after the header."""
    found = _POSITION.search(message)
    start = text.find("<OFX>")
    if not found or start < 0:
        return 1
    return text.count("\n", 0, start + int(found.group(1))) + 1
