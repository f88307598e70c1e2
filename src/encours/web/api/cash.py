"""Cash application over the API: the receipts waiting for a person, and allocating one by hand.

The same services as ``encours cash`` (``ledger.cash_allocation``) and the same receipt
shape as ``cash apply --format json`` (``ledger.cash_schemas``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from encours.bank.repository import BankRepository
from encours.domain.bank import TransactionStatus
from encours.domain.cash_reasons import decode
from encours.domain.money import format_amount
from encours.domain.user_amounts import parse_positive_amount
from encours.ledger.cash_allocation import ManualAllocation
from encours.ledger.cash_schemas import receipt_document
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import ApiUser, IsoDay, SessionDep, api_permission

router = APIRouter(tags=["cash"])
Worker = Annotated[User, Depends(api_permission(Permission.WORK))]
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
