"""OFX bank statements: 1.x SGML (unclosed tags, the French "Money" download) and 2.x XML.

``ofxtools`` reads the header and builds the element tree for both dialects. Its model
layer (``convert``) is not used: it rejects files banks really send (several transaction
lists in one statement, a bank id longer than 9 characters). The fields a bank line needs
are read from the tree and validated here. OFX gives no opening balance (only LEDGERBAL, the
closing one), so its statements carry no balance to check.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from ofxtools.header import OFXHeaderError
from ofxtools.Parser import OFXTree, ParseError

from encours.domain.bank import TransactionKind
from encours.domain.errors import LedgerError
from encours.ingest import detect
from encours.ingest.bank.common import parse_positive_amount
from encours.ingest.bank.kinds import ofx_kind
from encours.ingest.bank.records import BankFile, BankLine, Statement
from encours.ingest.fields import parse_currency, yyyymmdd

_POSITION = re.compile(r"position=\[(\d+):")


def parse_ofx(file: str, data: bytes) -> BankFile:
    text = data.decode("latin-1")  # one character per byte: offsets map onto lines
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except (ParseError, OFXHeaderError, AssertionError, ValueError, UnicodeDecodeError) as exc:
        line = _error_line(text, str(exc))
        reason = str(exc).split(" in ", 1)[0].split(" - position", 1)[0][:120] or type(exc).__name__
        message = f"malformed OFX: {reason}"
        return BankFile(file, detect.OFX, errors=(LedgerError(file, line, "", message),))
    root = tree.getroot()
    if root is None:  # pragma: no cover - parse() sets it or raises
        return BankFile(file, detect.OFX, errors=(LedgerError(file, 1, "", "empty OFX file"),))
    offsets = iter(match.start() for match in re.finditer(r"<STMTTRN>", text))
    receipts: list[Statement] = []
    errors: list[LedgerError] = []
    statements = [node for node in root.iter() if node.tag in ("STMTRS", "CCSTMTRS")]
    if not statements:
        errors.append(LedgerError(file, 1, "STMTRS", "no bank or card statement in this OFX file"))
    for statement in statements:
        currency = _text(statement, "CURDEF")
        account = _account(statement)
        lines: list[BankLine] = []
        for transaction in statement.iter("STMTTRN"):
            offset = next(offsets, 0)
            try:
                receipt = _receipt(transaction, account, currency, _line(text, offset))
            except _Problem as problem:
                line = _line(text, offset, problem.field)
                errors.append(LedgerError(file, line, problem.field, str(problem)))
                continue
            # a credit on a card account is a refund, not a customer receipt
            card = statement.tag == "CCSTMTRS"
            kind = ofx_kind(receipt.amount, receipt.transaction_code, card, receipt.payer_name)
            lines.append(receipt._replace(kind=kind))
        statement_id = _text(statement, "BANKTRANLIST/DTEND")[:8]
        receipts.append(Statement(account, statement_id, currency, None, None, tuple(lines), 1))
    return BankFile(file, detect.OFX, tuple(receipts), tuple(errors))


def _account(statement: ET.Element) -> str:
    """French banks give the RIB (bank, branch, account, key): the journal makes it an IBAN."""
    names = ("BANKID", "BRANCHID", "ACCTID", "ACCTKEY")
    parts = [
        _text(statement, f"BANKACCTFROM/{name}") or _text(statement, f"CCACCTFROM/{name}") for name in names
    ]
    return " ".join(part for part in parts if part)


class _Problem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _receipt(transaction: ET.Element, account: str, default_currency: str, line: int) -> BankLine:
    """Every transaction is validated; each is a bank line (its kind is set by the caller)."""
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
    user_day = _text(transaction, "DTUSER")[:8]
    try:
        value_date = yyyymmdd(user_day) if user_day else None
    except ValueError:
        raise _Problem("DTUSER", f"invalid date {user_day!r}") from None
    return BankLine(
        account=account,
        booking_date=day,
        value_date=value_date,
        amount=amount,
        currency=currency,
        payer_name=_text(transaction, "NAME") or _text(transaction, "PAYEE/NAME"),
        payer_iban=_text(transaction, "BANKACCTTO/ACCTID"),  # the journal keeps it when it is an IBAN
        remittance=_text(transaction, "MEMO"),
        creditor_reference="",
        end_to_end_id="",
        bank_reference=_text(transaction, "FITID"),
        transaction_code=_text(transaction, "TRNTYPE"),
        kind=TransactionKind.OTHER,  # set by the caller, which knows the account's type
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
