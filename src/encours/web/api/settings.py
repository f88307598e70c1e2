"""Setting the company up over the API (credit managers and admins, as on the settings screens):
company details, KPI thresholds, SMTP (and a test e-mail), the payment link, rate tables,
dunning scenarios and templates. The same checks and the same files as the screens
(``web.setup``): a request with problems saves nothing and answers 422 naming each field."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from encours.domain.errors import InvalidLines, LedgerError, NotFound
from encours.dunning.scenarios import scenario_files
from encours.settings.smtp import SMTP_FILE, StoredSmtp, stored_smtp
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import SessionDep, api_permission, app_settings
from encours.web.setup import company, dunning_files, payment_link, rate_files, smtp, thresholds
from encours.web.setup.files import Problems, save_data_file
from encours.web.stored_settings import get_setting
from encours.web.ui.i18n import text

router = APIRouter(prefix="/settings", tags=["settings"])
Manager = Annotated[User, Depends(api_permission(Permission.MANAGE))]
MAX_TEXT = 2_000_000  # characters of a rate table, a scenario or a template
Short = Annotated[str, Field(max_length=2000)]


def _data_dir(request: Request) -> Path:
    return app_settings(request).data_dir


def _refuse(file: str, problems: Problems | list[LedgerError] | list[str]) -> None:
    """Nothing saved: 422 with each field (or line) and what to fix, in English."""
    if not problems:
        return
    if isinstance(problems, Problems):
        errors = [LedgerError(file, 0, field, text(key, "en")) for field, key in problems.items()]
    else:
        errors = [e if isinstance(e, LedgerError) else LedgerError(file, 0, "", e) for e in problems]
    raise InvalidLines(f"{file} not saved: {len(errors)} problem(s)", errors)


class CompanyIn(BaseModel):
    """Only the fields given change; ``address`` has one line per line of the address."""

    name: Short | None = None
    address: Short | None = None
    city: Short | None = None
    siren: Short | None = None
    vat_number: Short | None = None
    email: Short | None = None
    phone: Short | None = None
    iban: Short | None = None
    bic: Short | None = None
    payment_days_after_notice: Short | None = None
    notice_postal_days: Short | None = None


@router.get("/company")
def get_company(request: Request, user: Manager) -> dict[str, str]:
    return company.company_values(_data_dir(request))


@router.put("/company")
def put_company(request: Request, session: SessionDep, user: Manager, body: CompanyIn) -> dict[str, str]:
    data_dir = _data_dir(request)
    form = {**company.company_values(data_dir), **body.model_dump(exclude_none=True)}
    values, problems = company.check_company(form)
    _refuse(company.FILE, problems)
    save_data_file(session, user.email, data_dir, company.FILE, company.company_toml(data_dir, values))
    return company.company_values(data_dir)


LEVELS = ("warning", "critical")


class Levels(BaseModel):
    warning: Annotated[str, Field(max_length=32)]
    critical: Annotated[str, Field(max_length=32)]


def _levels(data_dir: Path) -> dict[str, Levels]:
    return {
        r.kpi: Levels(warning=r.warning, critical=r.critical) for r in thresholds.threshold_rows(data_dir)
    }


@router.get("/thresholds")
def get_thresholds(request: Request, user: Manager) -> dict[str, Levels]:
    """Each KPI's warning and critical levels."""
    return _levels(_data_dir(request))


@router.put("/thresholds")
def put_thresholds(
    request: Request, session: SessionDep, user: Manager, body: dict[str, Levels]
) -> dict[str, Levels]:
    """The KPIs named change (``{"dso": {"warning": "45", "critical": "60"}}``); the others stay."""
    data_dir = _data_dir(request)
    levels = {**_levels(data_dir), **body}
    form = {f"{kpi}.{level}": getattr(pair, level) for kpi, pair in levels.items() for level in LEVELS}
    document, problems = thresholds.thresholds_toml(data_dir, form)
    _refuse(thresholds.FILE, problems)
    save_data_file(session, user.email, data_dir, thresholds.FILE, document)
    return _levels(data_dir)


class SmtpIn(BaseModel):
    host: Annotated[str, Field(max_length=255)]
    port: Annotated[str, Field(max_length=8)] = "587"
    security: Annotated[str, Field(max_length=16)] = "starttls"
    username: Annotated[str, Field(max_length=255)] = ""
    password: Annotated[str, Field(max_length=1024)] = ""  # blank: keep the saved one
    sender: Annotated[str, Field(max_length=255)] = ""


class SmtpTestIn(SmtpIn):
    recipient: Annotated[str, Field(max_length=255)]


class SmtpTestOut(BaseModel):
    ok: bool
    reply: str


def _server(request: Request, body: SmtpIn) -> StoredSmtp:
    server, problems = smtp.read_smtp_form(body.model_dump(), stored_smtp(_data_dir(request)))
    if isinstance(body, SmtpTestIn) and "@" not in body.recipient:
        problems["recipient"] = "adm_bad_email"
    _refuse(SMTP_FILE, problems)
    assert server is not None
    return server


@router.put("/smtp", status_code=204)
def put_smtp(request: Request, session: SessionDep, user: Manager, body: SmtpIn) -> None:
    """The SMTP server dunning and the digest use (``ENCOURS_SMTP_URL``, when set, wins)."""
    save_data_file(session, user.email, _data_dir(request), SMTP_FILE, smtp.smtp_toml(_server(request, body)))


@router.post("/smtp/test", response_model=SmtpTestOut)
def test_smtp(request: Request, session: SessionDep, user: Manager, body: SmtpTestIn) -> SmtpTestOut:
    """Send one e-mail through the server given (saved or not) to ``recipient``."""
    lang = user.language
    result = smtp.test_and_record(
        session, user.email, _data_dir(request), _server(request, body), body.recipient.strip(),
        text("adm_test_subject", lang), text("adm_test_body", lang),
    )  # fmt: skip
    return SmtpTestOut(ok=result.ok, reply=result.reply)


class PaymentLinkIn(BaseModel):
    payment_link: Annotated[str, Field(max_length=2000)]  # blank: no payment button


@router.get("/payment-link", response_model=PaymentLinkIn)
def get_payment_link(request: Request, user: Manager) -> PaymentLinkIn:
    return PaymentLinkIn(payment_link=get_setting(request.app.state.engine, payment_link.KEY) or "")


@router.put("/payment-link", response_model=PaymentLinkIn)
def put_payment_link(session: SessionDep, user: Manager, body: PaymentLinkIn) -> PaymentLinkIn:
    """A URL template with ``{invoice_id}``, ``{customer_id}``, ``{amount}``, ``{currency}``."""
    template = body.payment_link.strip()
    problem = payment_link.link_problem(template)
    _refuse("payment_link", Problems(payment_link=problem) if problem else Problems())
    payment_link.save_payment_link(session, user.email, template)
    return PaymentLinkIn(payment_link=template)


class FileText(BaseModel):
    text: Annotated[str, Field(max_length=MAX_TEXT)]


def _rate_file(which: str) -> rate_files.RateFile:
    chosen = rate_files.RATE_FILES.get(which)
    if chosen is None:
        raise NotFound(f"no rate table {which}; expected {', '.join(rate_files.RATE_FILES)}")
    return chosen


@router.get("/rates/{which}", response_model=FileText)
def get_rates(request: Request, user: Manager, which: str) -> FileText:
    """A rate table as CSV text (``ecb``: late-payment rates, ``fx``: exchange rates)."""
    return FileText(text=rate_files.rate_text(_data_dir(request), _rate_file(which)))


@router.put("/rates/{which}", status_code=204)
def put_rates(request: Request, session: SessionDep, user: Manager, which: str, body: FileText) -> None:
    chosen = _rate_file(which)
    _refuse(chosen.name, chosen.check(body.text, chosen.name))
    save_data_file(session, user.email, _data_dir(request), chosen.name, body.text)


@router.get("/scenarios", response_model=dict[str, FileText])
def get_scenarios(request: Request, user: Manager) -> dict[str, FileText]:
    """Each dunning scenario's TOML text (the user's copy, else the shipped one)."""
    files = scenario_files(_data_dir(request))
    return {name: FileText(text=source_text) for name, (_, source_text) in files.items()}


@router.put("/scenarios/{name}", status_code=204)
def put_scenario(request: Request, session: SessionDep, user: Manager, name: str, body: FileText) -> None:
    """A scenario's new TOML text, saved when dunning loads it."""
    _refuse(
        f"{name}.toml", dunning_files.save_scenario(session, user.email, _data_dir(request), name, body.text)
    )


@router.get("/templates", response_model=list[str])
def list_templates(user: Manager) -> list[str]:
    """``<language>/<email|letters>/<name>`` of each template."""
    return dunning_files.shipped_templates()


@router.get("/templates/{path:path}", response_model=FileText)
def get_template(request: Request, user: Manager, path: str) -> FileText:
    if path not in dunning_files.shipped_templates():
        raise NotFound(f"no template {path}")
    return FileText(text=dunning_files.template_text(path, _data_dir(request)))


@router.put("/templates/{path:path}", status_code=204)
def put_template(request: Request, session: SessionDep, user: Manager, path: str, body: FileText) -> None:
    """A template's new text, saved when it renders in the sandbox in both languages."""
    _refuse(path, dunning_files.save_template(session, user.email, _data_dir(request), path, body.text))
