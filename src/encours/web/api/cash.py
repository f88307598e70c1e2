"""Cash application over the API: the receipts waiting for a person, allocating one by hand,
and the cash screen's decisions (run cash application, confirm a suggestion, unallocate, set aside).

The same services as ``encours cash`` and the screen (``ledger.cash_allocation``,
``ledger.cash_review``) and the same receipt shape as ``cash apply --format json``
(``ledger.cash_schemas``). Deciding is for credit managers and admins, as on the screen.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from encours.bank.repository import BankRepository
from encours.domain.bank import TransactionStatus
from encours.domain.cash_reasons import decode
from encours.domain.money import format_amount
from encours.domain.user_amounts import parse_positive_amount
from encours.ledger.cash_allocation import ManualAllocation
from encours.ledger.cash_review import CashReview
from encours.ledger.cash_schemas import receipt_document
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import ApiUser, IsoDay, SessionDep, api_permission, app_settings
from encours.web.ledger_jobs import queue_cash_application

router = APIRouter(tags=["cash"])
Worker = Annotated[User, Depends(api_permission(Permission.WORK))]
Decider = Annotated[User, Depends(api_permission(Permission.MANAGE))]
ReceiptId = Annotated[int, Path(ge=1, le=2**62)]
WAITING = (TransactionStatus.UNMATCHED, TransactionStatus.SUGGESTED)


class AllocationIn(BaseModel):
    invoice_id: str = Field(min_length=1, max_length=255, description="The invoice number")
    amount: str | None = Field(None, max_length=32, description="Default: as much as both allow")


@router.get("/cash/receipts")
def waiting_receipts(
    session: SessionDep,
    user: ApiUser,
    status: Literal["unmatched", "suggested"] | None = None,
    as_of: IsoDay | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    """Customer credits not matched yet (unmatched, or suggested for a person), oldest first, with why
    (``reason`` in English; ``reason_codes`` name the sentences of ``domain.cash_reasons``)."""
    statuses = WAITING if status is None else (TransactionStatus(status),)
    lines = BankRepository(session).unmatched_credits(as_of, statuses=statuses)[:limit]
    return [
        {
            "receipt_id": str(line.id),
            "date": line.booking_date.isoformat(),
            "amount": format_amount(line.amount),
            "currency": line.currency,
            "payer": line.payer_name,
            "payer_iban": line.payer_iban,
            "remittance": line.remittance,
            "status": line.status.value,
            "customer_id": line.customer_id,
            "reason": line.reason or None,
            "reason_codes": [reason.code for reason in decode(line.reason_data)[0]],
        }
        for line in lines
    ]


@router.post("/cash/receipts/{receipt_id}/allocations", status_code=201)
def allocate(session: SessionDep, user: Worker, receipt_id: str, body: AllocationIn) -> dict[str, Any]:
    """Allocate the receipt to the invoice (the receipt's new state, as ``cash apply`` shows receipts)."""
    amount = None if body.amount is None else parse_positive_amount(body.amount)
    receipt = ManualAllocation(session, user.email).allocate(receipt_id, body.invoice_id, amount)
    return receipt_document(receipt)


class SetAsideIn(BaseModel):
    note: str = Field("", max_length=2000, description="Why it is not a customer's receipt")


@router.post("/cash/apply", status_code=202)
def run_cash_application(session: SessionDep, user: Decider) -> dict[str, Any]:
    """Queue cash application of every unmatched credit dated by today (a job, SPEC §12)."""
    return queue_cash_application(session, user.email).as_json()


@router.post("/cash/receipts/{receipt_id}/confirm")
def confirm(request: Request, session: SessionDep, user: Decider, receipt_id: ReceiptId) -> dict[str, Any]:
    """Apply what cash application suggested for the receipt, bank charges included."""
    review = CashReview(session, user.email, app_settings(request).charge_tolerance)
    return receipt_document(review.confirm(receipt_id))


@router.post("/cash/receipts/{receipt_id}/unallocate")
def unallocate(session: SessionDep, user: Decider, receipt_id: ReceiptId) -> dict[str, Any]:
    """Undo every allocation of the receipt: it waits for a person again."""
    return receipt_document(ManualAllocation(session, user.email).unallocate(str(receipt_id)))


@router.post("/cash/receipts/{receipt_id}/set-aside")
def set_aside(session: SessionDep, user: Decider, receipt_id: ReceiptId, body: SetAsideIn) -> dict[str, Any]:
    """Not a customer's receipt (a refund, a grant...): out of the waiting list, with the note."""
    CashReview(session, user.email).ignore(receipt_id, body.note)
    return receipt_document(ManualAllocation(session, user.email).state(str(receipt_id)))
