"""The help page: what each screen is for, and the formats the import takes (FR/EN)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from encours.web.deps import UiUser
from encours.web.ui.render import render

router = APIRouter(include_in_schema=False)
SCREENS = ("dashboard", "worklist", "customers", "aging", "disputes", "promises", "plans", "litigation",
           "dunning", "jobs", "users", "company", "thresholds", "scenarios", "templates", "smtp",
           "payment_link", "audit", "import")  # fmt: skip
FORMATS = ("fec", "csv_customers", "csv_invoices", "csv_payments", "bank", "einvoice")


@router.get("/help")
def help_page(request: Request, user: UiUser) -> Response:
    return render(request, "admin_help.html", screens=SCREENS, formats=FORMATS)
