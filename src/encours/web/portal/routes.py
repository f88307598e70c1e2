"""The customer portal: no account, no cookie; the signed token in the path is the only key.

Every query is scoped to the customer named in the verified token, so no other customer's
data is reachable. A bad or expired token answers 404 with no customer data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.domain.creditor_reference import customer_reference, invoice_reference
from encours.domain.errors import InvalidInput
from encours.domain.money import format_amount
from encours.domain.user_amounts import AmountError, parse_positive_amount
from encours.ledger.queries import StoredCustomer, find_customer
from encours.web import integrations
from encours.web.deps import SessionDep, app_settings
from encours.web.ledger_views import OpenItemView
from encours.web.portal.links import read_token
from encours.web.portal.statement import owed_items
from encours.web.stored_settings import get_setting
from encours.web.ui.render import render

router = APIRouter(prefix="/portal", include_in_schema=False)


class PortalInputError(InvalidInput):
    """What a customer typed in the portal is refused (the page says which field)."""


def _customer(request: Request, session: Session, token: str) -> StoredCustomer | None:
    access = read_token(request.app.state.keys.portal, token)
    if access is None:
        return None
    return find_customer(session, access.customer_id)


def _invalid(request: Request) -> Response:
    return render(request, "portal_invalid.html", status_code=404, csrf="")


def _open_invoices(session: Session, stored: StoredCustomer) -> list[OpenItemView]:
    return owed_items(session, stored.pk, dt.datetime.now(dt.UTC).date())


def payment_link(request: Request, item: OpenItemView, customer_id: str) -> str | None:
    """The configured payment link for an invoice (ENCOURS_PAYMENT_LINK or the app setting)."""
    template = app_settings(request).payment_link or get_setting(request.app.state.engine, "payment_link")
    if not template:
        return None
    values = {
        "invoice_id": quote(item.invoice_id, safe=""),
        "customer_id": quote(customer_id, safe=""),
        "amount": format_amount(item.open_amount),
        "currency": item.currency,
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return None


@router.get("/{token}")
def portal_page(request: Request, session: SessionDep, token: str) -> Response:
    stored = _customer(request, session, token)
    if stored is None:
        return _invalid(request)
    items = _open_invoices(session, stored)
    customer = stored.customer
    lang = customer.language if customer.language in ("fr", "en") else "fr"
    return render(
        request,
        "portal.html",
        lang=lang,
        csrf="",
        token=token,
        customer=customer,
        items=items,
        links={i.invoice_id: payment_link(request, i, customer.customer_id) for i in items},
        total=sum((i.open_amount for i in items), Decimal(0)),
        done=request.query_params.get("done"),
        today=dt.datetime.now(dt.UTC).date(),
        rf=invoice_reference,
        account_rf=customer_reference(customer.customer_id),
    )


@router.get("/{token}/statement.pdf")
def portal_statement(request: Request, session: SessionDep, token: str) -> Response:
    stored = _customer(request, session, token)
    if stored is None:
        return _invalid(request)
    from encours.web.portal.statement import statement_pdf

    customer = stored.customer
    pdf = statement_pdf(customer, _open_invoices(session, stored), customer.language or "fr")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="statement-{customer.customer_id}.pdf"'},
    )


def _amount(text: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return parse_positive_amount(text)
    except AmountError:
        raise PortalInputError("invalid amount", field="amount") from None


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PortalInputError("invalid date, expected YYYY-MM-DD", field=field) from None


def _own_invoice(items: list[OpenItemView], invoice_id: str) -> str | None:
    """Only an invoice of this customer may be named; anything else is refused."""
    if not invoice_id:
        return None
    if invoice_id not in {i.invoice_id for i in items}:
        raise PortalInputError("unknown invoice", field="invoice_id")
    return invoice_id


@router.post("/{token}/{kind}")
def portal_declare(
    request: Request,
    session: SessionDep,
    token: str,
    kind: str,
    invoice_id: Annotated[str, Form(max_length=255)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    date: Annotated[str, Form(max_length=10)] = "",
    method: Annotated[str, Form(max_length=64)] = "",
    message: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    stored = _customer(request, session, token)
    if stored is None or kind not in ("payment", "promise", "dispute"):
        return _invalid(request)
    items = _open_invoices(session, stored)
    invoice = _own_invoice(items, invoice_id)
    value = _amount(amount)
    details: dict[str, object] = {"message": message.strip()} if message.strip() else {}
    if value is not None:
        details["amount"] = format_amount(value)
    if kind in ("payment", "promise"):
        details["date"] = _date(date, "date").isoformat()
    if kind == "payment" and method:
        details["method"] = method.strip()
    if kind == "dispute" and invoice is None:
        raise PortalInputError("choose the invoice you dispute", field="invoice_id")
    customer_id = stored.customer.customer_id
    integrations.portal_declaration(session, customer_id, kind, invoice, details)
    record(
        session,
        f"portal:{customer_id}",
        f"portal.{kind}_declared",
        customer_id=customer_id,
        subject=invoice,
        details=details,
    )
    return RedirectResponse(f"/portal/{token}?done={kind}", status_code=303)
