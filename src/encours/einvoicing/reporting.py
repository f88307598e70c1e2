"""``encours einvoice statuses``: a 212 Encaissée for every payment applied to an invoice (SPEC §11).

What the seller must send its platform for invoices whose VAT is due on receipt: one message per
(payment, invoice) pair with the amount applied, the invoice's number and date, the seller's
SIREN (``company.toml``) and the buyer's (the customer's ``siren``). A pair already reported is
not written again unless ``again``; what was written is recorded (``einvoice_reports``). Every
message is checked against the shipped CDAR D22B XSD before it is written. Flushes, never commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from encours.data_files import user_or_shipped
from encours.domain.errors import InvalidInput
from encours.domain.money import from_cents
from encours.einvoicing.cdar_writer import Collected, Party, collected_message, safe_id
from encours.einvoicing.models import ReportRow
from encours.einvoicing.schema import schema_errors
from encours.einvoicing.statuses import COLLECTED
from encours.ledger.models import AllocationRow, CustomerRow, EntryRow
from encours.storage.base import utcnow

DEFAULT_VAT_RATE = Decimal("20.00")


class Seller(NamedTuple):
    party: Party
    vat_rate: Decimal  # the rate MEN states (BR-FR-CDV-14); company.toml ``vat_rate_on_receipt``


class Reported(NamedTuple):
    invoice: str
    payment: str
    customer_id: str
    received_on: dt.date
    amount: Decimal
    currency: str
    status: str  # written | already_reported | skipped
    reason: str  # why skipped or not written again; "" when written
    file: str | None


def load_seller(data_dir: Path | None) -> Seller:
    """The seller of ``company.toml``: its SIREN is required, the VAT rate defaults to 20.00."""
    found = user_or_shipped("company.toml", data_dir)
    try:
        raw = tomllib.loads(found.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{found.source}: invalid TOML: {exc}", field="company.toml") from None
    siren = re.sub(r"\s", "", str(raw.get("siren", "")))
    if not re.fullmatch(r"\d{9}", siren):
        raise InvalidInput(f"{found.source}: `siren` must be the company's 9-digit SIREN", field="siren")
    try:
        rate = Decimal(str(raw.get("vat_rate_on_receipt", DEFAULT_VAT_RATE)))
    except InvalidOperation:
        rate = Decimal(-1)
    if not rate.is_finite() or not 0 <= rate < 100:
        raise InvalidInput(f"{found.source}: `vat_rate_on_receipt` must be a percentage", field="vat_rate")
    return Seller(Party(siren, str(raw.get("name", ""))), rate)


class _Pair(NamedTuple):
    payment_id: int
    payment_key: str
    payment: str
    invoice_id: int
    invoice_key: str
    invoice: str
    issued: dt.date
    received_on: dt.date
    cents: int
    currency: str
    customer_id: str
    customer_name: str
    siren: str | None


def _pairs(session: Session, since: dt.date) -> list[_Pair]:
    """Payments applied to invoices, paid on or after ``since``, with the amount applied to each."""
    pay, doc = aliased(EntryRow), aliased(EntryRow)
    entries = (pay.id, pay.key, pay.reference, doc.id, doc.key, doc.reference, doc.date, pay.date)
    customer = (doc.currency, CustomerRow.customer_id, CustomerRow.name, CustomerRow.siren)
    query = (
        select(*entries, func.sum(AllocationRow.amount_cents), *customer)  # in _Pair's order
        .join(pay, pay.id == AllocationRow.credit_entry_id)
        .join(doc, doc.id == AllocationRow.debit_entry_id)
        .join(CustomerRow, CustomerRow.id == doc.customer_pk)
        .where(pay.kind == "payment", doc.kind == "invoice", pay.date >= since)
        .group_by(*entries, *customer)
        .order_by(pay.date, doc.reference, pay.reference, pay.id, doc.id)
    )
    return [_Pair._make(row) for row in session.execute(query) if row[8] > 0]


def message_id(pair: _Pair) -> str:
    """MDT-4: stable for the pair, so a message written again keeps its identifier."""
    digest = hashlib.sha256(f"{pair.payment_key}|{pair.invoice_key}".encode()).hexdigest()[:10]
    return f"{safe_id(pair.invoice)[:80]}_{COLLECTED}_{pair.received_on:%Y%m%d}_{digest}"


def report_collected(
    session: Session, since: dt.date, out: Path, seller: Seller, *, again: bool = False
) -> list[Reported]:
    """Write the 212 messages due since ``since`` into ``out``; returns what happened to each pair."""
    pairs = _pairs(session, since)
    done = {
        (row.payment_entry_id, row.invoice_entry_id): row
        for row in session.scalars(select(ReportRow))  # only what this command wrote
    }
    results = []
    for pair in pairs:
        amount = from_cents(pair.cents)
        result = Reported(pair.invoice, pair.payment, pair.customer_id, pair.received_on, amount,
                          pair.currency, "written", "", None)  # fmt: skip
        previous = done.get((pair.payment_id, pair.invoice_id))
        buyer = re.sub(r"\s", "", pair.siren or "")
        if previous is not None and not again:
            results.append(result._replace(status="already_reported", reason="reported before (use --again)",
                                           file=previous.file_name))  # fmt: skip
            continue
        if not re.fullmatch(r"\d{9}", buyer):
            results.append(result._replace(status="skipped", reason="the customer has no SIREN"))
            continue
        status = Collected(
            message_id(pair), pair.invoice, pair.issued, pair.received_on, amount, pair.currency,
            seller.vat_rate, seller.party, Party(buyer, pair.customer_name),
        )  # fmt: skip
        document = collected_message(status)
        problems = schema_errors(document)
        if problems:
            raise InvalidInput(f"invoice {pair.invoice}: the 212 message is not valid CDAR: {problems[0]}")
        target = out / f"{status.message_id}.xml"
        out.mkdir(parents=True, exist_ok=True)
        target.write_bytes(document)
        if previous is None:
            session.add(ReportRow(payment_entry_id=pair.payment_id, invoice_entry_id=pair.invoice_id,
                                  amount_cents=pair.cents, currency=pair.currency,
                                  message_id=status.message_id, file_name=str(target)))  # fmt: skip
        else:
            previous.amount_cents, previous.file_name = pair.cents, str(target)
            previous.message_id, previous.reported_at = status.message_id, utcnow()
        results.append(result._replace(file=str(target)))
    session.flush()
    return results
