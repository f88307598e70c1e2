"""Named queries on the bank journal: storing statement lines and deciding what a credit is.

The cash application builds on the decision functions: it lists the unmatched customer
credits, and when it matches one it creates the ledger payment (key ``payment_key(id)``,
with its allocations) and links it here; undoing a match unlinks it, and the caller removes
that payment. Every function flushes, none commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from encours.bank.models import BankAccountRow, BankTransactionRow
from encours.domain.bank import Known, SameDayKey, TransactionKind, TransactionStatus, normal_reference
from encours.domain.errors import Conflict, NotFound
from encours.domain.money import from_cents
from encours.storage.base import sql_date, utcnow

CHUNK = 500  # same-day keys per lookup: well under every backend's parameter limit
CONCURRENT = "another import stored these bank transactions at the same time: import the file again"


@dataclass(frozen=True, slots=True, kw_only=True)
class _StatementLine:
    """What a statement says of a line, as the journal keeps it: the part both records share."""

    account: str
    statement_id: str
    booking_date: dt.date
    value_date: dt.date | None
    currency: str
    payer_name: str
    payer_iban: str
    remittance: str
    creditor_reference: str
    end_to_end_id: str
    bank_reference: str
    transaction_code: str
    source_file: str
    source_line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredTransaction(_StatementLine):
    """A line of the journal as its readers see it; ``amount`` signed, credits positive."""

    id: int
    amount: Decimal
    kind: TransactionKind
    status: TransactionStatus
    reason: str
    customer_id: str | None
    payment_entry_id: int | None
    reason_data: str = ""  # domain.cash_reasons.encode: the reason in any language, the proposal


def _stored(row: BankTransactionRow) -> StoredTransaction:
    return StoredTransaction(
        id=row.id, account=row.account, statement_id=row.statement_id, booking_date=row.booking_date,
        value_date=row.value_date, amount=from_cents(row.amount_cents), currency=row.currency,
        payer_name=row.payer_name, payer_iban=row.payer_iban, remittance=row.remittance,
        creditor_reference=row.creditor_reference, end_to_end_id=row.end_to_end_id,
        bank_reference=row.bank_reference, transaction_code=row.transaction_code,
        kind=TransactionKind(row.kind), status=TransactionStatus(row.status), reason=row.reason,
        customer_id=row.customer_id, payment_entry_id=row.payment_entry_id, source_file=row.source_file,
        source_line=row.source_line, reason_data=row.reason_data or "",
    )  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTransaction(_StatementLine):
    """A line about to be stored: its values, column by column (the amount in cents)."""

    fingerprint: str
    occurrence: int
    amount_cents: int
    kind: str
    status: str
    source_format: str

    @property
    def same_day(self) -> SameDayKey:
        return SameDayKey(self.account, self.booking_date, self.amount_cents, self.currency)

    def columns(self) -> dict[str, Any]:
        """Column name -> value, as the insert takes them."""
        return {name: getattr(self, name) for name in _NEW_COLUMNS}


_NEW_COLUMNS = tuple(f.name for f in fields(NewTransaction))


def known_of(row: Any) -> Known:
    """A stored (or about to be stored) line as pairing compares it."""
    return Known(
        row.occurrence, row.source_format, normal_reference(row.end_to_end_id),
        normal_reference(row.bank_reference), row.payer_iban,
    )  # fmt: skip


class BankRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- accounts --------------------------------------------------------------------------

    def own_accounts(self) -> set[str]:
        """Identifiers (IBANs when known) of every account whose statements were imported."""
        return set(self.session.scalars(select(BankAccountRow.account)))

    def add_accounts(self, currencies: Mapping[str, str]) -> list[str]:
        """Record the accounts (account → currency) not yet known; returns those added."""
        new = sorted(set(currencies) - self.own_accounts())
        self.session.add_all(BankAccountRow(account=a, currency=currencies[a]) for a in new)
        self._flush_new()
        return new

    def reclassify_own_transfers(self, accounts: Collection[str]) -> int:
        """Lines from an account now known as the company's own, still undecided, are internal."""
        if not accounts:
            return 0
        result = self.session.execute(
            update(BankTransactionRow)
            .where(
                BankTransactionRow.payer_iban.in_(list(accounts)),
                BankTransactionRow.kind.in_([TransactionKind.CUSTOMER_CREDIT, TransactionKind.DEBIT]),
                BankTransactionRow.status.in_([TransactionStatus.UNMATCHED, TransactionStatus.IGNORED]),
                BankTransactionRow.payment_entry_id.is_(None),
            )
            .values(kind=TransactionKind.OWN_TRANSFER, status=TransactionStatus.IGNORED)
        )
        self.session.flush()
        return int(getattr(result, "rowcount", 0) or 0)

    # -- storing ---------------------------------------------------------------------------

    def same_day_lines(self, keys: Iterable[SameDayKey]) -> dict[SameDayKey, list[Known]]:
        """The stored lines of each same-day group, by occurrence."""
        wanted = sorted(set(keys))
        found: dict[SameDayKey, list[Known]] = defaultdict(list)
        columns = (
            BankTransactionRow.account, BankTransactionRow.booking_date,
            BankTransactionRow.amount_cents, BankTransactionRow.currency,
        )  # fmt: skip
        compared = (
            BankTransactionRow.occurrence, BankTransactionRow.source_format, BankTransactionRow.end_to_end_id,
            BankTransactionRow.bank_reference, BankTransactionRow.payer_iban,
        )  # fmt: skip
        for start in range(0, len(wanted), CHUNK):
            part = [tuple(k) for k in wanted[start : start + CHUNK]]
            query = select(*columns, *compared).where(tuple_(*columns).in_(part))
            for row in self.session.execute(query.order_by(BankTransactionRow.occurrence)):
                key = SameDayKey(row.account, sql_date(row.booking_date), row.amount_cents, row.currency)
                found[key].append(known_of(row))
        return found

    def add_transactions(self, rows: Sequence[NewTransaction]) -> None:
        """Store new lines at once; one stored meanwhile by a concurrent import is a refusal."""
        if rows:
            try:
                # the table's own INSERT: the ORM's bulk path would resolve every foreign key's
                # table (the ledger's), which a process importing only statements has not loaded
                table = cast(Table, BankTransactionRow.__table__)
                self.session.execute(insert(table), [row.columns() for row in rows])
            except IntegrityError:
                raise Conflict(CONCURRENT) from None
        self.session.flush()

    def _flush_new(self) -> None:
        """Flush new rows; a unique key taken meanwhile by a concurrent import is a refusal (exit 2)."""
        try:
            self.session.flush()
        except IntegrityError:
            raise Conflict(CONCURRENT) from None

    # -- reading ---------------------------------------------------------------------------

    def get(self, transaction_id: int) -> StoredTransaction:
        return _stored(self._row(transaction_id))

    def by_ids(self, ids: Collection[int]) -> dict[int, StoredTransaction]:
        rows = self.session.scalars(select(BankTransactionRow).where(BankTransactionRow.id.in_(list(ids))))
        return {row.id: _stored(row) for row in rows}

    def unmatched_credits(
        self,
        up_to: dt.date | None = None,
        statuses: Collection[TransactionStatus] = (TransactionStatus.UNMATCHED,),
    ) -> list[StoredTransaction]:
        """Customer credits in the given statuses (default: not matched yet) booked on or before
        ``up_to`` (every one when None), oldest first: what cash application works on."""
        query = select(BankTransactionRow).where(
            BankTransactionRow.kind == TransactionKind.CUSTOMER_CREDIT,
            BankTransactionRow.status.in_([TransactionStatus(s).value for s in statuses]),
        )
        if up_to is not None:
            query = query.where(BankTransactionRow.booking_date <= up_to)
        order = (BankTransactionRow.booking_date, BankTransactionRow.id)
        return [_stored(row) for row in self.session.scalars(query.order_by(*order))]

    def by_payment(self, entry_id: int) -> StoredTransaction | None:
        """The bank line a ledger payment was made from or recognised as (matched or duplicate)."""
        row = self.session.scalars(
            select(BankTransactionRow).where(BankTransactionRow.payment_entry_id == entry_id).limit(1)
        ).first()
        return None if row is None else _stored(row)

    # -- deciding --------------------------------------------------------------------------

    def mark(
        self,
        transaction_id: int,
        status: TransactionStatus,
        *,
        customer_id: str | None = None,
        reason: str = "",
        reason_data: str = "",
    ) -> StoredTransaction:
        """Record a decision that creates no payment: ``suggested`` (with the customer it may
        be and why), ``unmatched`` (why not), ``ignored``. A matched line must be unlinked first."""
        if status is TransactionStatus.MATCHED:
            raise Conflict("a match is recorded with link_payment, with the payment it created")
        row = self._row(transaction_id)
        if row.payment_entry_id is not None:
            raise Conflict(f"bank transaction {transaction_id} is linked to a payment: unlink it first")
        row.status, row.customer_id, row.reason = status.value, customer_id, reason[:512]
        row.reason_data, row.decided_at = reason_data, utcnow()
        self.session.flush()
        return _stored(row)

    def link_payment(
        self,
        transaction_id: int,
        entry_id: int,
        *,
        customer_id: str,
        reason: str = "",
        reason_data: str = "",
        status: TransactionStatus = TransactionStatus.MATCHED,
    ) -> StoredTransaction:
        """Link a credit to its ledger payment: the one created at match time (``matched``), or
        a receipt already in the ledger that is the same money (``duplicate``, SPEC §10)."""
        if status not in (TransactionStatus.MATCHED, TransactionStatus.DUPLICATE):
            raise Conflict(f"a linked bank transaction is matched or duplicate, not {status.value}")
        row = self._row(transaction_id)
        if row.kind != TransactionKind.CUSTOMER_CREDIT:
            raise Conflict(f"bank transaction {transaction_id} is {row.kind}, not a customer credit")
        if row.payment_entry_id is not None and row.payment_entry_id != entry_id:
            raise Conflict(f"bank transaction {transaction_id} is already linked to another payment")
        row.status, row.customer_id, row.reason = status.value, customer_id, reason[:512]
        row.payment_entry_id, row.decided_at, row.reason_data = entry_id, utcnow(), reason_data
        self.session.flush()
        return _stored(row)

    def unlink_payment(self, transaction_id: int, reason: str = "", reason_data: str = "") -> int | None:
        """Undo a match: the line is unmatched again; returns the payment entry it was linked to
        (which the caller deletes when it made it, with its allocations), None if none."""
        row = self._row(transaction_id)
        entry_id = row.payment_entry_id
        row.status, row.customer_id, row.reason = TransactionStatus.UNMATCHED.value, None, reason[:512]
        row.payment_entry_id, row.decided_at, row.reason_data = None, utcnow(), reason_data
        self.session.flush()
        return entry_id

    def _row(self, transaction_id: int) -> BankTransactionRow:
        row = self.session.get(BankTransactionRow, transaction_id)
        if row is None:
            raise NotFound(f"no bank transaction {transaction_id}")
        return row
