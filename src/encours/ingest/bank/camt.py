"""ISO 20022 camt.053 statements and camt.054 notifications (any schema version).

Every booked entry is a bank line, debits too; pending ones are not booked yet. An entry
batching several transactions whose amounts add up to it gives one line per transaction,
each with its own counterpart and remittance information; otherwise the entry is one line.
A statement's opening (OPBD, else PRCD) and closing (CLBD) balances are read for the check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from lxml import etree

from encours.domain.errors import LedgerError
from encours.ingest import detect
from encours.ingest.bank.common import parse_positive_amount
from encours.ingest.bank.kinds import camt_code, camt_kind
from encours.ingest.bank.records import Balance, BankFile, BankLine, Statement
from encours.ingest.fields import parse_currency, plausible_date
from encours.ingest.xmltree import child, children, line_of, local, text_of, xml_root

_REPORTS = ("Stmt", "Ntfctn", "Rpt")
_BOOKED = ("BOOK", "")  # a missing status is booked in camt.054 notifications
_OPENING, _CLOSING = ("OPBD", "PRCD"), ("CLBD",)


class _Problem(ValueError):
    def __init__(self, element: etree._Element, field: str, message: str) -> None:
        super().__init__(message)
        self.line = line_of(element)
        self.field = field


def parse_camt(file: str, data: bytes, format_name: str) -> BankFile:
    root, errors = xml_root(file, data)
    if root is None:
        return BankFile(file, format_name, errors=tuple(errors))
    reports = [node for node in root.iter() if local(node) in _REPORTS]
    if not reports:
        message = "no statement (Stmt) or notification (Ntfctn) in this camt file"
        return BankFile(file, format_name, errors=(LedgerError(file, line_of(root), "", message),))
    statements: list[Statement] = []
    for report in reports:
        account = text_of(report, "Acct", "Id", "IBAN") or text_of(report, "Acct", "Id", "Othr", "Id")
        lines: list[BankLine] = []
        try:
            for entry in children(report, "Ntry"):
                lines.extend(_entry_lines(account, entry))
            opening, closing = _balance(report, _OPENING), _balance(report, _CLOSING)
        except _Problem as problem:
            errors.append(LedgerError(file, problem.line, problem.field, str(problem)))
            continue
        currency = text_of(report, "Acct", "Ccy") or (lines[0].currency if lines else "")
        statement_id = text_of(report, "Id") or text_of(report, "ElctrncSeqNb")
        statements.append(
            Statement(account, statement_id, currency, opening, closing, tuple(lines), line_of(report))
        )
    return BankFile(file, format_name, tuple(statements), tuple(errors))


def _balance(report: etree._Element, codes: tuple[str, ...]) -> Balance | None:
    """The first balance of the report whose type is one of ``codes``, signed."""
    for code in codes:
        for node in children(report, "Bal"):
            if text_of(node, "Tp", "CdOrPrtry", "Cd") != code:
                continue
            amount_node = child(node, "Amt")
            if amount_node is None:
                raise _Problem(node, "Bal", "balance without amount")
            amount, _ = _amount(amount_node, "Bal")
            sign = -1 if text_of(node, "CdtDbtInd") == "DBIT" else 1
            day = text_of(node, "Dt", "Dt") or text_of(node, "Dt", "DtTm")
            try:
                date = dt.date.fromisoformat(day[:10]) if day else None
            except ValueError:
                raise _Problem(node, "Bal", f"invalid date {day!r}") from None
            return Balance(sign * amount, date, line_of(node))
    return None


def parse_camt053(file: str, data: bytes) -> BankFile:
    return parse_camt(file, data, detect.CAMT053)


def parse_camt054(file: str, data: bytes) -> BankFile:
    return parse_camt(file, data, detect.CAMT054)


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


def _value_date(entry: etree._Element) -> dt.date | None:
    day = text_of(entry, "ValDt", "Dt") or text_of(entry, "ValDt", "DtTm")
    try:
        return dt.date.fromisoformat(day[:10]) if day else None
    except ValueError:
        raise _Problem(entry, "ValDt", f"invalid date {day!r}") from None


def _entry_lines(account: str, entry: etree._Element) -> list[BankLine]:
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
    if status not in _BOOKED:
        return []
    sign = 1 if direction == "CRDT" else -1
    booked = _Booked(account, day, _value_date(entry), sign, reversal, entry)
    entry_refs = [text_of(entry, "AcctSvcrRef"), text_of(entry, "NtryRef")]
    details = children(entry, "NtryDtls", "TxDtls")
    amounts = [_tx_amount(tx) for tx in details]
    split = len(details) > 1 and all(a is not None and a[1] == currency for a in amounts)
    if split and sum(a[0] for a in amounts if a is not None) == amount:
        return [
            _line(booked, tx_amount[0], currency, [tx], entry_refs, tx)
            for tx, tx_amount in zip(details, amounts, strict=True)
            if tx_amount is not None
        ]
    line = _line(booked, amount, currency, details, entry_refs, entry)
    if len(details) != 1:  # the entry's own text says what the batch is
        extra = text_of(entry, "AddtlNtryInf")
        line = line._replace(remittance=" ".join(p for p in (line.remittance, extra) if p))
    return [line]


def _tx_amount(tx: etree._Element) -> tuple[Decimal, str] | None:
    for path in (("Amt",), ("AmtDtls", "TxAmt", "Amt")):
        node = child(tx, *path)
        if node is not None:
            return _amount(node, "Amt")
    return None


class _Booked(NamedTuple):
    """What every line of one entry shares."""

    account: str
    day: dt.date
    value_date: dt.date | None
    sign: int
    reversal: bool
    entry: etree._Element


def _line(
    booked: _Booked,
    amount: Decimal,
    currency: str,
    details: list[etree._Element],
    entry_refs: list[str],
    where: etree._Element,
) -> BankLine:
    def first(*path: str) -> str:
        found = (text_of(tx, *path) for tx in details)
        return next((v for v in found if v and v.upper() != "NOTPROVIDED"), "")

    bank_refs = [first("Refs", "AcctSvcrRef"), *entry_refs, first("Refs", "TxId"), first("Refs", "InstrId")]
    # the counterpart: who paid us on a credit, whom we paid on a debit
    party = "Dbtr" if booked.sign > 0 else "Cdtr"
    names = {
        name
        for tx in details
        for name in (text_of(tx, "RltdPties", party, "Nm"), text_of(tx, "RltdPties", party, "Pty", "Nm"))
        if name
    }
    code = [
        text_of(node, *path)
        for node in (*details[:1], booked.entry)
        for path in (("BkTxCd", "Domn", "Cd"), ("BkTxCd", "Domn", "Fmly", "Cd"),
                     ("BkTxCd", "Domn", "Fmly", "SubFmlyCd"), ("BkTxCd", "Prtry", "Cd"))
    ]  # fmt: skip
    domain, family, subfamily, proprietary = code[0:4] if any(code[0:4]) else code[4:8]
    signed = booked.sign * amount
    return BankLine(
        account=booked.account,
        booking_date=booked.day,
        value_date=booked.value_date,
        amount=signed,
        currency=currency,
        payer_name=names.pop() if len(names) == 1 else "",
        payer_iban=first("RltdPties", f"{party}Acct", "Id", "IBAN"),
        remittance=" ".join(part for tx in details for part in _remittance(tx)),
        creditor_reference=first("RmtInf", "Strd", "CdtrRefInf", "Ref"),
        end_to_end_id=first("Refs", "EndToEndId"),
        bank_reference=next((r for r in bank_refs if r and r.upper() != "NOTPROVIDED"), ""),
        transaction_code=camt_code(domain, family, subfamily, proprietary),
        kind=camt_kind(signed, domain, family, subfamily, booked.reversal),
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
