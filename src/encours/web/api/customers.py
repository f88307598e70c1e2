"""Customers, their invoices, payments and timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.casework import notes
from encours.casework.schemas import NoteOut, TimelineOut
from encours.domain.errors import NotFound
from encours.domain.records import Customer
from encours.ledger.queries import StoredCustomer, find_customer
from encours.users.roles import Permission
from encours.users.service import User
from encours.web import integrations
from encours.web.api.schemas import (
    BalanceOut,
    CustomerOut,
    InvoiceOut,
    NoteIn,
    Page,
    PaymentOut,
    PortalLinkOut,
)
from encours.web.deps import ApiUser, SessionDep, api_permission, app_settings, as_of_param
from encours.web.ledger_views import (
    Balance,
    OpenItemView,
    customer_page,
    customer_summary,
    open_items,
    payments,
)
from encours.web.portal.links import DEFAULT_DAYS, make_token, portal_url, read_token

router = APIRouter(tags=["customers"])

AsOf = Annotated[dt.date, Depends(as_of_param)]
CustomerId = Annotated[str, Query(max_length=64)]


def customer_out(customer: Customer, found: tuple[Balance, ...]) -> CustomerOut:
    return CustomerOut(
        **{k: v for k, v in customer._asdict().items() if k in CustomerOut.model_fields},
        balances=[BalanceOut(**b._asdict()) for b in found],
    )


def invoice_out(item: OpenItemView) -> InvoiceOut:
    return InvoiceOut(
        invoice_id=item.invoice_id,
        kind=item.kind,
        date=item.date,
        due_date=item.due_date,
        amount=item.amount,
        open_amount=item.open_amount,
        currency=item.currency,
        disputed=item.disputed,
        days_past_due=item.days_past_due,
        label=item.label,
    )


@router.get("/customers", response_model=Page[CustomerOut])
def list_customers(
    session: SessionDep,
    user: ApiUser,
    as_of: AsOf,
    q: Annotated[str, Query(max_length=100, description="Search in id and name")] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[CustomerOut]:
    page = customer_page(session, as_of, q, offset, limit)
    return Page[CustomerOut](
        items=[customer_out(s.customer, s.balances) for s in page.items],
        total=page.total,
        offset=offset,
        limit=limit,
    )


def _customer(session: Session, customer_id: str) -> StoredCustomer:
    found = find_customer(session, customer_id)
    if found is None:
        raise NotFound.because("no_customer_quoted", customer=customer_id)
    return found


@router.get("/customers/{customer_id}", response_model=CustomerOut, responses={404: {"description": "none"}})
def get_customer(session: SessionDep, user: ApiUser, customer_id: str, as_of: AsOf) -> CustomerOut:
    summary = customer_summary(session, _customer(session, customer_id), as_of)
    return customer_out(summary.customer, summary.balances)


@router.get("/customers/{customer_id}/invoices", response_model=list[InvoiceOut])
def customer_invoices(
    session: SessionDep,
    user: ApiUser,
    customer_id: str,
    as_of: AsOf,
    include_settled: bool = False,
) -> list[InvoiceOut]:
    """Documents of the customer open at ``as_of`` (with ``include_settled``, every document)."""
    stored = _customer(session, customer_id)
    items = open_items(session, [stored.pk], as_of, settled_documents=include_settled)
    return [invoice_out(i) for i in items if i.kind != "payment"]


@router.get("/customers/{customer_id}/payments", response_model=list[PaymentOut])
def customer_payments(
    session: SessionDep,
    user: ApiUser,
    customer_id: str,
    as_of: AsOf,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[PaymentOut]:
    stored = _customer(session, customer_id)
    return [PaymentOut(**p._asdict()) for p in payments(session, stored.pk, as_of, limit)]


@router.get("/customers/{customer_id}/timeline", response_model=list[TimelineOut])
def customer_timeline(
    session: SessionDep,
    user: ApiUser,
    customer_id: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TimelineOut]:
    """Documents, payments, reminders, calls, promises, disputes, notes: latest first."""
    _customer(session, customer_id)
    return [TimelineOut.model_validate(e) for e in integrations.timeline(session, customer_id, limit)]


@router.get("/customers/{customer_id}/notes", response_model=list[NoteOut])
def list_notes(session: SessionDep, user: ApiUser, customer_id: str) -> list[NoteOut]:
    _customer(session, customer_id)
    return [NoteOut.model_validate(n) for n in notes.list_notes(session, customer_id)]


@router.post("/customers/{customer_id}/notes", response_model=NoteOut, status_code=201)
def add_note(
    session: SessionDep,
    user: Annotated[User, Depends(api_permission(Permission.COMMENT))],
    customer_id: str,
    note: NoteIn,
) -> NoteOut:
    _customer(session, customer_id)
    created = integrations.add_note(session, user.email, customer_id, note.text, note.invoice_id)
    return NoteOut.model_validate(created)


@router.post("/customers/{customer_id}/portal-link", response_model=PortalLinkOut, status_code=201)
def create_portal_link(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(api_permission(Permission.WORK))],
    customer_id: str,
    days: Annotated[int, Query(ge=1, le=366)] = DEFAULT_DAYS,
) -> PortalLinkOut:
    _customer(session, customer_id)
    secret: str = request.app.state.keys.portal
    token = make_token(secret, customer_id, days)
    access = read_token(secret, token)
    if access is None:  # pragma: no cover - a fresh token always reads back
        raise NotFound("link could not be made")
    record(session, user.email, "portal.link_created", customer_id=customer_id, details={"days": days})
    return PortalLinkOut(url=portal_url(token, app_settings(request).base_url), expires=access.expires)
