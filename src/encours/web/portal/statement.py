"""Statement of account PDF for the portal (WeasyPrint, text PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from encours.domain.records import Customer
from encours.web.ledger_views import OpenItemView
from encours.web.ui import i18n

_env = Environment(loader=PackageLoader("encours.web.portal", "templates"), autoescape=select_autoescape())


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
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
