"""ISO 20022 camt.053 statements and camt.054 credit notifications (any schema version).

Only booked, non-reversed credit entries are receipts. An entry batching several
transactions whose amounts add up to it gives one receipt per transaction, each with its
own debtor and remittance information; otherwise the entry is one receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from lxml import etree

from encours.domain.errors import LedgerError
from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.bank.common import Receipt, parse_positive_amount, receipts_to_parsed
from encours.ingest.fields import parse_currency, plausible_date
from encours.ingest.parsed import ParsedFile
from encours.ingest.xmltree import child, children, line_of, local, text_of, xml_root

_REPORTS = ("Stmt", "Ntfctn", "Rpt")
_BOOKED = ("BOOK", "")  # a missing status is booked in camt.054 notifications


class _Problem(ValueError):
    def __init__(self, element: etree._Element, field: str, message: str) -> None:
        super().__init__(message)
        self.line = line_of(element)
        self.field = field


def parse_camt(file: str, data: bytes, known: Mapping[str, Customer], format_name: str) -> ParsedFile:
    root, errors = xml_root(file, data)
    if root is None:
        return ParsedFile(file, format_name, errors=tuple(errors))
    reports = [node for node in root.iter() if local(node) in _REPORTS]
    if not reports:
        message = "no statement (Stmt) or notification (Ntfctn) in this camt file"
        return ParsedFile(file, format_name, errors=(LedgerError(file, line_of(root), "", message),))
    receipts: list[Receipt] = []
    for report in reports:
        account = text_of(report, "Acct", "Id", "IBAN") or text_of(report, "Acct", "Id", "Othr", "Id")
        for entry in children(report, "Ntry"):
            try:
                receipts.extend(_entry_receipts(account, entry))
            except _Problem as problem:
                errors.append(LedgerError(file, problem.line, problem.field, str(problem)))
    return receipts_to_parsed(file, format_name, receipts, known, errors)


def parse_camt053(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    return parse_camt(file, data, known, detect.CAMT053)


def parse_camt054(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    return parse_camt(file, data, known, detect.CAMT054)


def _amount(node: etree._Element, field: str) -> tuple[Decimal, str]:
    try:
        amount = parse_positive_amount(node.text or "")
        currency = parse_currency(node.get("Ccy", ""))
    except ValueError as exc:
        raise _Problem(node, field, str(exc)) from None
    return amount, currency


def _date(entry: etree._Element) -> dt.date:
    for path in (("BookgDt", "Dt"), ("BookgDt", "DtTm"), ("ValDt", "Dt"), ("ValDt", "DtTm")):
        node = child(entry, *path)
        if node is not None:
            try:
                return plausible_date(dt.date.fromisoformat((node.text or "").strip()[:10]))
            except ValueError as exc:
                raise _Problem(node, path[0], f"invalid date {(node.text or '')[:40]!r}: {exc}") from None
    raise _Problem(entry, "BookgDt", "entry without booking or value date")


def _entry_receipts(account: str, entry: etree._Element) -> list[Receipt]:
    amount_node = child(entry, "Amt")
    if amount_node is None:
        raise _Problem(entry, "Amt", "entry without amount")
    amount, currency = _amount(amount_node, "Amt")
    direction = text_of(entry, "CdtDbtInd")
    if direction not in ("CRDT", "DBIT"):
        where = child(entry, "CdtDbtInd")
        raise _Problem(entry if where is None else where, "CdtDbtInd", f"invalid direction {direction!r}")
    day = _date(entry)
    status = text_of(entry, "Sts", "Cd") or text_of(entry, "Sts")
    reversal = text_of(entry, "RvslInd").lower() in ("true", "1")
    if direction != "CRDT" or reversal or status not in _BOOKED:
        return []
    entry_refs = [text_of(entry, "AcctSvcrRef"), text_of(entry, "NtryRef")]
    details = children(entry, "NtryDtls", "TxDtls")
    amounts = [_tx_amount(tx) for tx in details]
    split = len(details) > 1 and all(a is not None and a[1] == currency for a in amounts)
    if split and sum(a[0] for a in amounts if a is not None) == amount:
        return [
            _receipt(account, day, tx_amount[0], currency, [tx], entry_refs, tx)
            for tx, tx_amount in zip(details, amounts, strict=True)
            if tx_amount is not None
        ]
    receipt = _receipt(account, day, amount, currency, details, entry_refs, entry)
    if len(details) != 1:  # the entry's own text says what the batch is
        extra = text_of(entry, "AddtlNtryInf")
        receipt = receipt._replace(remittance=" ".join(p for p in (receipt.remittance, extra) if p))
    return [receipt]


def _tx_amount(tx: etree._Element) -> tuple[Decimal, str] | None:
    for path in (("Amt",), ("AmtDtls", "TxAmt", "Amt")):
        node = child(tx, *path)
        if node is not None:
            return _amount(node, "Amt")
    return None


def _receipt(
    account: str,
    day: dt.date,
    amount: Decimal,
    currency: str,
    details: list[etree._Element],
    entry_refs: list[str],
    where: etree._Element,
) -> Receipt:
    tx_refs = [
        ref
        for tx in details
        for ref in (
            text_of(tx, "Refs", "AcctSvcrRef"),
            text_of(tx, "Refs", "EndToEndId"),
            text_of(tx, "Refs", "TxId"),
            text_of(tx, "Refs", "InstrId"),
        )
    ]
    refs = [r for r in (*tx_refs, *entry_refs) if r and r.upper() != "NOTPROVIDED"]
    names = {
        name
        for tx in details
        for name in (text_of(tx, "RltdPties", "Dbtr", "Nm"), text_of(tx, "RltdPties", "Dbtr", "Pty", "Nm"))
        if name
    }
    remittance = " ".join(part for tx in details for part in _remittance(tx))
    return Receipt(
        account=account,
        date=day,
        amount=amount,
        currency=currency,
        bank_ref=refs[0] if refs else "",
        debtor_name=names.pop() if len(names) == 1 else "",
        remittance=remittance,
        line=line_of(where),
    )


def _remittance(tx: etree._Element) -> list[str]:
    """Free text, structured creditor references and referred document numbers, in order."""
    parts = [text_of(node) for node in children(tx, "RmtInf", "Ustrd")]
    for structured in children(tx, "RmtInf", "Strd"):
        parts += [text_of(node) for node in children(structured, "RfrdDocInf", "Nb")]
        parts += [text_of(node) for node in children(structured, "CdtrRefInf", "Ref")]
        parts += [text_of(node) for node in children(structured, "AddtlRmtInf")]
    parts.append(text_of(tx, "AddtlTxInf"))
    return [part for part in parts if part]
