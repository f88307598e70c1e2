"""Importing CDAR statuses as receivables events (SPEC §11); flushes, never commits.

Each status names an invoice of the ledger by its number; a status for an unknown invoice
refuses the whole file, naming the invoice and its line. A status already stored (same
invoice, code and time) changes nothing, so importing a file twice is harmless. New statuses
open disputes through casework (207, 208, 210; one open dispute per invoice), record the
payment a 211 announces, and set the invoice's standing: 210, 213, 220, 225 take it out of
dunning (``exclusions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import disputes
from encours.domain.errors import LedgerError
from encours.domain.money import from_cents, to_cents
from encours.domain.records import Entry
from encours.einvoicing.models import StandingRow, StatusRow
from encours.einvoicing.statuses import OPENS_DISPUTE, Effect, effect, label, standing
from encours.ingest.einvoice.cdar import PARIS, LifecycleStatus, parse_cdar
from encours.ingest.failures import PARSER_FAILURES, unreadable
from encours.ledger.import_service import ImportRejected, SourceFile
from encours.ledger.models import EntryRow
from encours.ledger.queries import find_customer
from encours.ledger.repository import LedgerRepository

ACTOR = "einvoice"


class StatusCounts(NamedTuple):
    file: str
    new: int
    unchanged: int
    disputes_opened: int
    out_of_dunning: int  # invoices of the file now out of dunning because of their lifecycle

    def describe(self) -> str:
        return (
            f"{self.file} (cdar): statuses {self.new} new, {self.unchanged} unchanged; "
            f"disputes {self.disputes_opened} opened; invoices out of dunning {self.out_of_dunning}"
        )


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _pick(status: LifecycleStatus, found: Sequence[Entry], sirens: dict[str, str | None]) -> list[Entry]:
    """Among invoices sharing the number, those of the buyer (SIREN) and date the message states."""
    buyers = {_digits(i)[:9] for i in status.buyer_ids if len(_digits(i)) >= 9}
    if len(found) > 1 and buyers:
        found = [e for e in found if sirens.get(e.customer_id) in buyers] or list(found)
    if len(found) > 1 and status.invoice_date is not None:
        found = [e for e in found if e.date == status.invoice_date] or list(found)
    return list(found)


def resolve(
    session: Session, file: str, statuses: Sequence[LifecycleStatus]
) -> tuple[list[tuple[LifecycleStatus, Entry]], list[LedgerError]]:
    """Each status with its invoice; an unknown or ambiguous number is a line error."""
    ledger = LedgerRepository(session)
    numbers = {s.invoice_number for s in statuses}
    by_reference = ledger.invoices_by_reference(numbers)
    by_key = ledger.entries_by_key({f"doc:{n}" for n in numbers})
    customers = {e.customer_id for found in by_reference.values() for e in found}
    customers |= {e.customer_id for e in by_key.values()}
    sirens = {
        cid: (c.customer.siren if (c := find_customer(session, cid)) else None) for cid in sorted(customers)
    }
    paired, errors = [], []
    for status in statuses:
        found = by_reference.get(status.invoice_number) or [
            e for e in (by_key.get(f"doc:{status.invoice_number}"),) if e is not None
        ]
        found = _pick(status, found, sirens)
        if not found:
            message = f"unknown invoice {status.invoice_number!r}: no invoice of the ledger has this number"
            errors.append(LedgerError(file, status.line, "IssuerAssignedID", message))
        elif len(found) > 1:
            owners = ", ".join(sorted({e.customer_id for e in found}))
            message = f"invoice {status.invoice_number!r} names several invoices (customers {owners})"
            errors.append(LedgerError(file, status.line, "IssuerAssignedID", message))
        else:
            paired.append((status, found[0]))
    return paired, errors


class StatusImport:
    """Stores the statuses of one CDAR file and applies what they mean."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ledger = LedgerRepository(session)

    def import_source(self, source: SourceFile) -> StatusCounts:
        try:
            parsed = parse_cdar(str(source.path), source.data)
        except PARSER_FAILURES as exc:
            raise ImportRejected([unreadable(str(source.path), source.data, source.format, exc)]) from None
        if parsed.errors:
            raise ImportRejected(parsed.errors)
        paired, errors = resolve(self.session, parsed.file, parsed.statuses)
        if errors:
            raise ImportRejected(errors)
        ids = self.ledger.entry_ids({entry.key: entry for _, entry in paired})
        new = unchanged = opened = 0
        touched: set[int] = set()
        for status, entry in paired:
            entry_id = ids[entry.key]
            if self._stored(entry_id, status):
                unchanged += 1
                continue
            new += 1
            touched.add(entry_id)
            row = self._store(parsed.file, status, entry, entry_id)
            if effect(status.code) in OPENS_DISPUTE and self._open_dispute(status, entry, row):
                opened += 1
        out = sum(self._refresh_standing(entry_id) for entry_id in sorted(touched))
        self.session.flush()
        return StatusCounts(parsed.file, new, unchanged, opened, out)

    def _stored(self, entry_id: int, status: LifecycleStatus) -> bool:
        query = select(StatusRow.id, StatusRow.status_at).where(
            StatusRow.entry_id == entry_id, StatusRow.code == status.code
        )
        return any(at == status.at for _, at in self.session.execute(query))

    def _store(self, file: str, status: LifecycleStatus, entry: Entry, entry_id: int) -> StatusRow:
        owner = find_customer(self.session, entry.customer_id)
        assert owner is not None  # the invoice's own customer
        amount = status.amount  # a 211 may announce a payment without its amount
        expected = None
        if effect(status.code) is Effect.EXPECTED_PAYMENT:
            expected = status.amount_date or status.at.astimezone(PARIS).date()
        row = StatusRow(
            entry_id=entry_id,
            customer_pk=owner.pk,
            code=status.code,
            status_at=status.at,
            status_on=status.at.astimezone(PARIS).date(),
            reason_code=status.reason_code,
            reason=status.reason,
            amount_cents=None if amount is None else to_cents(amount),
            currency=(status.currency or entry.currency) if amount is not None else None,
            expected_on=expected,
            message_id=status.message_id,
            file_name=file[-1024:],
        )
        self.session.add(row)
        self.session.flush()
        record(
            self.session, ACTOR, "einvoice.status", customer_id=entry.customer_id, subject=entry.key,
            details={"code": status.code, "label": label(status.code, "fr"), "message_id": status.message_id,
                     "at": status.at.isoformat(), "reason_code": status.reason_code,
                     "amount": None if amount is None else str(amount)},
        )  # fmt: skip
        return row

    def _open_dispute(self, status: LifecycleStatus, entry: Entry, row: StatusRow) -> bool:
        """A dispute with the message's reason, unless the invoice already has an open one."""
        already = disputes.list_disputes(self.session, entry.customer_id, disputes.DisputeStatus.OPEN)
        if any(d.entry_key == entry.key for d in already):
            return False
        detail = " ".join(part for part in (status.reason_code, status.reason) if part)
        reason = f"CDAR {status.code} {label(status.code, 'fr')}" + (f": {detail}" if detail else "")
        disputes.open_dispute(
            self.session, entry.customer_id, entry.key, reason=reason[:255], actor=ACTOR,
            opened_on=row.status_on,
        )  # fmt: skip
        return True

    def _refresh_standing(self, entry_id: int) -> bool:
        """Recompute the invoice's standing from all its statuses; True when out of dunning."""
        rows = self.session.execute(
            select(StatusRow.status_at, StatusRow.code, StatusRow.status_on).where(
                StatusRow.entry_id == entry_id
            )
        ).all()
        found = standing((at, code) for at, code, _ in rows)
        current = self.session.get(StandingRow, entry_id)
        if found is None:
            if current is not None:
                self.session.delete(current)
            return False
        since = max(on for _, _, on in rows)
        if current is None:
            self.session.add(StandingRow(entry_id=entry_id, standing=found.value, since=since))
        elif current.standing != found.value:
            current.standing, current.since = found.value, since
        return True


def expected_payments(session: Session, since: dt.date) -> list[tuple[str, dt.date, Decimal | None]]:
    """(invoice key, expected day, amount) that 211 Paiement transmis announced from ``since`` on."""
    query = (
        select(EntryRow.key, StatusRow.expected_on, StatusRow.amount_cents)
        .join(EntryRow, EntryRow.id == StatusRow.entry_id)
        .where(StatusRow.code == 211, StatusRow.expected_on >= since)
        .order_by(StatusRow.expected_on, StatusRow.id)
    )
    return [
        (key, day, None if cents is None else from_cents(cents))
        for key, day, cents in session.execute(query)
        if day is not None
    ]
