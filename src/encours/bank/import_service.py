"""Importing a bank statement file into the journal: parse → check balances → deduplicate → store.

All or nothing per file, like every import. A line already in the journal (the same file
again, an overlapping statement, or the same account's statement in another format) is
recognised by its same-day group and references (``domain.bank.pair_with_known``) and
changes nothing. Nothing here writes a ledger entry: importing a statement never moves the
aged balance or the KPIs. The service flushes; the caller's unit of work commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from encours.bank.repository import BankRepository, NewTransaction, known_of
from encours.domain.bank import (
    SameDayKey,
    TransactionKind,
    TransactionStatus,
    balance_problem,
    fingerprint,
    normal_account,
    normal_iban,
    pair_with_known,
    with_own_transfers,
)
from encours.domain.errors import InvalidLines, LedgerError
from encours.domain.money import to_cents
from encours.ingest.bank import BANK_PARSERS, format_family
from encours.ingest.bank.records import BankFile, BankLine, Statement
from encours.ingest.failures import PARSER_FAILURES, unreadable

_LIMITS = {"payer_name": 255, "creditor_reference": 64, "end_to_end_id": 64, "bank_reference": 80}


class StatementRefused(InvalidLines):
    """A statement file refused whole (a bad line, balances that do not add up): nothing stored."""

    def __init__(self, errors: Sequence[LedgerError]) -> None:
        super().__init__(f"{errors[0].file}: nothing imported", errors)


class AccountCounts(NamedTuple):
    account: str
    transactions: int
    new: int

    @property
    def known(self) -> int:
        return self.transactions - self.new


class BankImportCounts(NamedTuple):
    file: str
    format: str
    accounts: tuple[AccountCounts, ...]

    def describe(self) -> str:
        """``releve.xml (camt053): FR76... 12 bank transactions (3 new, 9 already known)``."""
        parts = [
            f"{a.account} {a.transactions} bank transactions ({a.new} new, {a.known} already known)"
            for a in self.accounts
        ]
        return f"{self.file} ({self.format}): " + ("; ".join(parts) or "0 bank transactions")


def is_bank_format(format_name: str) -> bool:
    return format_name in BANK_PARSERS


def parse_statements(file: str, data: bytes, format_name: str) -> BankFile:
    """The file's statements, their balances checked: a file with any error has only errors."""
    parsed = BANK_PARSERS[format_name](file, data)
    errors = list(parsed.errors) + [e for s in parsed.statements for e in _balance_errors(file, s)]
    return parsed._replace(statements=(), errors=tuple(errors)) if errors else parsed


def _balance_errors(file: str, statement: Statement) -> list[LedgerError]:
    """Opening + movements = closing, when the statement carries both balances."""
    if statement.opening is None or statement.closing is None:
        return []
    movements = sum((line.amount for line in statement.lines), start=Decimal(0))
    problem = balance_problem(statement.opening.amount, movements, statement.closing.amount)
    if problem is None:
        return []
    name = f"statement {statement.statement_id or '(no id)'} of account {statement.account or '(none)'}"
    return [LedgerError(file, statement.closing.line, "balance", f"{name}: {problem}")]


class BankImportService:
    """Stores statement files in the bank journal; flushes, never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.bank = BankRepository(session)

    def import_file(self, path: Path, data: bytes, format_name: str) -> BankImportCounts:
        try:
            parsed = parse_statements(str(path), data, format_name)
        except PARSER_FAILURES as exc:  # a library's crash on a damaged file is the file's fault
            raise StatementRefused([unreadable(str(path), data, format_name, exc)]) from None
        if parsed.errors:
            raise StatementRefused(parsed.errors)
        return self.store(parsed)

    def store(self, parsed: BankFile) -> BankImportCounts:
        family = format_family(parsed.format)
        currencies = {normal_account(s.account) or "-": s.currency for s in parsed.statements}
        own = self.bank.own_accounts() | set(currencies)
        rows = [
            self._row(parsed.file, family, statement, account, line, own)
            for statement in parsed.statements
            for account in [normal_account(statement.account)[:64] or "-"]
            for line in statement.lines
        ]
        groups: dict[SameDayKey, list[NewTransaction]] = defaultdict(list)
        for row in rows:
            groups[row.same_day].append(row)
        stored = self.bank.same_day_lines(groups)
        new: list[NewTransaction] = []
        for key, incoming in groups.items():
            known = stored.get(key, [])
            paired = pair_with_known([known_of(row) for row in incoming], known)
            next_occurrence = max((k.occurrence for k in known), default=0) + 1
            for row, occurrence in zip(incoming, paired, strict=True):
                if occurrence is None:
                    new.append(
                        replace(
                            row, occurrence=next_occurrence, fingerprint=fingerprint(key, next_occurrence)
                        )
                    )
                    next_occurrence += 1
        self.bank.add_transactions(new)
        added = self.bank.add_accounts({a: c for a, c in currencies.items() if c})
        self.bank.reclassify_own_transfers(added)
        counts = {account: [0, 0] for account in currencies}
        for row in rows:
            counts[row.account][0] += 1
        for row in new:
            counts[row.account][1] += 1
        return BankImportCounts(
            parsed.file, parsed.format, tuple(AccountCounts(a, t, n) for a, (t, n) in counts.items())
        )

    def _row(
        self, file: str, family: str, statement: Statement, account: str, line: BankLine, own: set[str]
    ) -> NewTransaction:
        payer_iban = normal_iban(line.payer_iban)
        kind = with_own_transfers(line.kind, payer_iban, own)
        texts = {name: getattr(line, name)[:limit] for name, limit in _LIMITS.items()}
        return NewTransaction(
            fingerprint="",
            occurrence=0,
            account=account,
            statement_id=statement.statement_id[:64],
            booking_date=line.booking_date,
            value_date=line.value_date,
            amount_cents=to_cents(line.amount),
            currency=line.currency,
            payer_iban=payer_iban,
            remittance=line.remittance,
            transaction_code=line.transaction_code[:64],
            kind=kind.value,
            # only a customer credit waits for cash application; the rest is never matched
            status=(
                TransactionStatus.UNMATCHED
                if kind is TransactionKind.CUSTOMER_CREDIT
                else TransactionStatus.IGNORED
            ).value,
            source_format=family,
            source_file=file[:1024],
            source_line=line.line,
            **texts,
        )
