"""What the portal shows a customer: its open invoices, and their statement of account PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from encours.domain.creditor_reference import customer_reference, invoice_reference
from encours.domain.records import Customer
from encours.web.ledger_views import OpenItemView, open_items
from encours.web.ui import i18n

_env = Environment(loader=PackageLoader("encours.web.portal", "templates"), autoescape=select_autoescape())


def owed_items(session: Session, customer_pk: int, as_of: dt.date) -> list[OpenItemView]:
    """The customer's items with a positive open amount at ``as_of``: what it owes (its credits
    and unapplied payments are not listed), the customer sheet's open items filtered."""
    return [item for item in open_items(session, [customer_pk], as_of) if item.open_amount > 0]


def statement_pdf(customer: Customer, items: Sequence[OpenItemView], language: str) -> bytes:
    from weasyprint import HTML

    lang = language if language in i18n.LOCALES else "fr"
    html = _env.get_template("statement.html").render(
        customer=customer,
        items=items,
        today=dt.datetime.now(dt.UTC).date(),
        t=lambda key: i18n.text(key, lang),
        money=lambda amount, currency: i18n.money(amount, currency, lang),
        day=lambda value: i18n.day(value, lang),
        lang=lang,
        rf=invoice_reference,
        account_rf=customer_reference(customer.customer_id),
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
