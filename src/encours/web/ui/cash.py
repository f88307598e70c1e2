"""The cash-application screen (SPEC §10): the receipts waiting for a person, and one receipt's
decisions — confirm a suggestion, allocate by hand to invoices of a customer (with a bank charge
within the tolerance), unallocate, or mark it as not a customer's receipt.

Rules are the ledger's (``ledger.cash_review``, ``ledger.cash_allocation``); this module reads
forms and shows results. Everyone who works receivables may look; credit managers and admins
decide (``Permission.MANAGE``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from encours.bank.repository import StoredTransaction
from encours.bank.waiting import WAITING, ReceiptFilters, waiting_receipts
from encours.domain.bank import TransactionStatus
from encours.domain.cash_reasons import Proposed, decode, render_all
from encours.domain.errors import InvalidInput
from encours.domain.user_amounts import parse_positive_amount
from encours.jobs import service as jobs
from encours.ledger.cash_allocation import EVER, ManualAllocation
from encours.ledger.cash_review import CashReview
from encours.ledger.queries import find_customer, search_customers
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, SessionDep, app_settings, ui_permission
from encours.web.integrations import parse_day
from encours.web.ledger_jobs import CASH_KIND, queue_cash_application
from encours.web.ledger_views import OpenItemView, open_items
from encours.web.ui import i18n
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(ui_permission(Permission.WORK))]
Decider = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
ReceiptId = Annotated[int, Path(ge=1, le=2**62)]
Field = Annotated[str, Query(max_length=64)]
Listed = Annotated[list[str], Form(max_length=500)]
PAGE = 50


def reason_of(line: StoredTransaction, language: str) -> str:
    """Why the line waits, in the reader's language (lines decided before codes: English only)."""
    reasons, _ = decode(line.reason_data)
    if reasons:
        return render_all(reasons, language)
    if line.reason and language == "fr":
        return i18n.text("cash_reason_untranslated", language)
    return line.reason


class Shown(NamedTuple):
    line: StoredTransaction
    reason: str
    customer_name: str
    proposal: tuple[Proposed, ...]  # what a click on confirm applies


def _shown(session: Session, lines: list[StoredTransaction], language: str) -> list[Shown]:
    names: dict[str, str] = {}
    for line in lines:
        if line.customer_id and line.customer_id not in names:
            found = find_customer(session, line.customer_id)
            names[line.customer_id] = found.customer.name if found else line.customer_id
    return [
        Shown(
            line,
            reason_of(line, language),
            names.get(line.customer_id or "", ""),
            decode(line.reason_data)[1],
        )
        for line in lines
    ]


def _amount(text: str, field: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return parse_positive_amount(text)
    except InvalidInput as error:
        raise InvalidInput(str(error), field=field) from None


def _day(text: str, field: str) -> dt.date | None:
    return parse_day(text, field) if text.strip() else None


@router.get("/cash")
def cash_page(
    request: Request, session: SessionDep, user: Reader, status: Field = "", account: Field = "",
    date_from: Field = "", date_to: Field = "", amount_min: Field = "", amount_max: Field = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:  # fmt: skip
    """Suggested receipts first (a click may settle them), then unmatched, with why."""
    chosen = TransactionStatus(status) if status in {s.value for s in WAITING} else None
    filters = ReceiptFilters(
        chosen, account, _day(date_from, "date_from"), _day(date_to, "date_to"),
        _amount(amount_min, "amount_min"), _amount(amount_max, "amount_max"),
    )  # fmt: skip
    found = waiting_receipts(session, filters, (page - 1) * PAGE, PAGE)
    query = {
        "status": status, "account": account, "date_from": date_from, "date_to": date_to,
        "amount_min": amount_min, "amount_max": amount_max,
    }  # fmt: skip
    last_run = next(iter(jobs.list_jobs(session, kind=CASH_KIND, limit=1)), None)
    return render(
        request, "cash.html", last_run=last_run, found=found,
        receipts=_shown(session, found.lines, language_of(request)),
        form=query, query=urlencode({k: v for k, v in query.items() if v}), page=page,
        pages=max(1, -(-found.total // PAGE)), done=request.query_params.get("done"),
    )  # fmt: skip


@router.post("/cash/apply", dependencies=[CsrfChecked])
def run_cash_application(session: SessionDep, user: Decider) -> Response:
    """Match every unmatched credit dated by today: a job (SPEC §12), not work inside the request."""
    queue_cash_application(session, user.email)
    return RedirectResponse("/cash?done=queued", status_code=303)


def _invoices(session: Session, customer_pk: int) -> list[OpenItemView]:
    return [i for i in open_items(session, [customer_pk], EVER) if i.kind != "payment" and i.open_amount > 0]


@router.get("/cash/receipts/{receipt_id}")
def receipt_page(
    request: Request, session: SessionDep, user: Reader, receipt_id: ReceiptId,
    q: Annotated[str, Query(max_length=255)] = "", customer: Annotated[str, Query(max_length=255)] = "",
) -> Response:  # fmt: skip
    line = CashReview(session, user.email).receipt(receipt_id)
    state = ManualAllocation(session, user.email).state(str(receipt_id))
    left = line.amount - sum((amount for _, amount in state.allocations), Decimal(0))
    open_to_allocate = line.status in WAITING or (line.status is TransactionStatus.MATCHED and left > 0)
    [shown] = _shown(session, [line], language_of(request))
    chosen = (
        find_customer(session, customer or line.customer_id or "") if (customer or line.customer_id) else None
    )
    tolerance = app_settings(request).charge_tolerance
    invoices = _invoices(session, chosen.pk) if chosen is not None else []
    return render(
        request, "cash_receipt.html", r=shown,
        state=state, left=left, open_to_allocate=open_to_allocate,
        q=q, matches=search_customers(session, q, limit=20).customers if q.strip() else [], chosen=chosen,
        invoices=invoices, charge_limits={i.invoice_id: tolerance.of(i.amount) for i in invoices},
        waiting=line.status in WAITING, done=request.query_params.get("done"),
    )  # fmt: skip


def _back(receipt_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/cash/receipts/{receipt_id}?done={done}", status_code=303)


@router.post("/cash/receipts/{receipt_id}/confirm", dependencies=[CsrfChecked])
def confirm(request: Request, session: SessionDep, user: Decider, receipt_id: ReceiptId) -> Response:
    CashReview(session, user.email, app_settings(request).charge_tolerance).confirm(receipt_id)
    return _back(receipt_id, "confirmed")


@router.post("/cash/receipts/{receipt_id}/allocate", dependencies=[CsrfChecked])
def allocate(
    request: Request, session: SessionDep, user: Decider, receipt_id: ReceiptId,
    invoices: Listed = [], amounts: Listed = [], ticked: Listed = [], charges: Listed = [],  # noqa: B006
) -> Response:  # fmt: skip
    """Every ticked invoice gets the amount typed beside it (French or English writing)."""
    if len(invoices) != len(amounts):
        raise InvalidInput("one amount per invoice", field="amounts")
    chosen = []
    for number, typed in zip(invoices, amounts, strict=True):
        if number in ticked:
            chosen.append((number, _amount(typed, f"amount {number}")))
    if not chosen:
        raise InvalidInput("tick at least one invoice", field="ticked")
    review = CashReview(session, user.email, app_settings(request).charge_tolerance)
    review.allocate(receipt_id, chosen, charges=[c for c in charges if c in ticked])
    return _back(receipt_id, "allocated")


@router.post("/cash/receipts/{receipt_id}/unallocate", dependencies=[CsrfChecked])
def unallocate(session: SessionDep, user: Decider, receipt_id: ReceiptId) -> Response:
    ManualAllocation(session, user.email).unallocate(str(receipt_id))
    return _back(receipt_id, "unallocated")


@router.post("/cash/receipts/{receipt_id}/ignore", dependencies=[CsrfChecked])
def ignore(
    session: SessionDep,
    user: Decider,
    receipt_id: ReceiptId,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    CashReview(session, user.email).ignore(receipt_id, note)
    return _back(receipt_id, "ignored")
