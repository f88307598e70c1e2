"""The portal's pay button: a URL template kept as an app setting (ENCOURS_PAYMENT_LINK wins)."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from encours.audit.service import record
from encours.web.stored_settings import put_setting

KEY = "payment_link"
SAMPLE = {"invoice_id": "F2026-0001", "customer_id": "C00001", "amount": "1234.56", "currency": "EUR"}


def link_problem(template: str) -> str | None:
    """The text key of what is wrong with a payment-link template, or None (blank: no button)."""
    if not template:
        return None
    try:
        example = template.format(**SAMPLE)
    except (KeyError, IndexError, ValueError):
        return "adm_bad_placeholder"
    parts = urlsplit(example)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return "adm_bad_url"
    return None


def save_payment_link(session: Session, actor: str, template: str) -> None:
    put_setting(session, KEY, template)
    record(session, actor, "settings.payment_link_saved", details={"payment_link": template})
