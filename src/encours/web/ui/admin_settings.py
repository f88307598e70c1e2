"""Settings screens (credit managers and admins): company, KPI thresholds, scenarios, SMTP, pay link.

Each saves the file the CLI reads in ENCOURS_DATA_DIR (web.setup), so both agree; a form
with problems comes back as typed, each field saying what to fix, and nothing is saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from encours.domain.errors import NotFound
from encours.dunning.scenarios import scenario_files
from encours.settings.smtp import SECURITIES, SMTP_FILE, stored_smtp
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, SessionDep, app_settings, ui_permission
from encours.web.setup import company, payment_link, rate_files, scenario_form, smtp, thresholds
from encours.web.setup.dunning_files import shipped_templates
from encours.web.setup.files import Problems, save_data_file
from encours.web.stored_settings import get_setting
from encours.web.ui.i18n import text
from encours.web.ui.line_messages import line_message
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
MAX_TEXT = 2_000_000  # characters of a rate table


class Field(NamedTuple):
    name: str
    label: str  # text key
    kind: str = "text"  # an <input> type, "textarea" or "select"
    choices: tuple[str, ...] = ()


COMPANY_FIELDS = (
    Field("name", "adm_company_name"), Field("address", "adm_address", "textarea"),
    Field("city", "adm_city"), Field("siren", "adm_siren"), Field("vat_number", "adm_vat"),
    Field("email", "email", "email"), Field("phone", "adm_phone", "tel"), Field("iban", "adm_iban"),
    Field("bic", "adm_bic"), Field("payment_days_after_notice", "adm_payment_days", "number"),
    Field("notice_postal_days", "adm_postal_days", "number"),
)  # fmt: skip
SMTP_FIELDS = (
    Field("host", "adm_smtp_host"), Field("port", "adm_smtp_port", "number"),
    Field("security", "adm_smtp_security", "select", SECURITIES), Field("username", "adm_smtp_user"),
    Field("password", "password", "password"), Field("sender", "adm_smtp_sender", "email"),
)  # fmt: skip
LINK_FIELDS = (Field("payment_link", "adm_payment_link", "url"),)


def _data_dir(request: Request) -> Path:
    return app_settings(request).data_dir


async def form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _form_page(
    request: Request, screen: str, fields: tuple[Field, ...], values: dict[str, Any],
    problems: Problems | None = None, **extra: Any,
) -> Response:  # fmt: skip
    return render(
        request, "admin_form.html", status_code=422 if problems else 200, screen=screen, fields=fields,
        values=values, problems=problems or {}, done=request.query_params.get("done"), **extra,
    )  # fmt: skip


@router.get("/admin")
def admin_index(request: Request, user: Manager) -> Response:
    return render(request, "admin_index.html", templates=shipped_templates(), rates=rate_files.RATE_FILES)


# company ---------------------------------------------------------------------------------
@router.get("/admin/settings/company")
def company_page(request: Request, user: Manager) -> Response:
    return _form_page(request, "company", COMPANY_FIELDS, company.company_values(_data_dir(request)))


@router.post("/admin/settings/company", dependencies=[CsrfChecked])
async def save_company(request: Request, session: SessionDep, user: Manager) -> Response:
    form = await form_values(request)
    values, problems = company.check_company(form)
    if problems:
        return _form_page(request, "company", COMPANY_FIELDS, form, problems)
    text_ = company.company_toml(_data_dir(request), values)
    save_data_file(session, user.email, _data_dir(request), company.FILE, text_)
    return RedirectResponse("/admin/settings/company?done=1", status_code=303)


# KPI thresholds --------------------------------------------------------------------------
@router.get("/admin/settings/thresholds")
def thresholds_page(request: Request, user: Manager) -> Response:
    rows = thresholds.threshold_rows(_data_dir(request))
    values = {f"{r.kpi}.{level}": getattr(r, level) for r in rows for level in ("warning", "critical")}
    return render(
        request, "admin_thresholds.html", rows=rows, values=values, problems={},
        done=request.query_params.get("done"),
    )  # fmt: skip


@router.post("/admin/settings/thresholds", dependencies=[CsrfChecked])
async def save_thresholds(request: Request, session: SessionDep, user: Manager) -> Response:
    form = await form_values(request)
    document, problems = thresholds.thresholds_toml(_data_dir(request), form)
    if problems:
        rows = thresholds.threshold_rows(_data_dir(request))
        return render(
            request, "admin_thresholds.html", status_code=422, rows=rows, values=form, problems=problems,
            done=None,
        )  # fmt: skip
    save_data_file(session, user.email, _data_dir(request), thresholds.FILE, document)
    return RedirectResponse("/admin/settings/thresholds?done=1", status_code=303)


# dunning scenarios -----------------------------------------------------------------------
@router.get("/admin/settings/scenarios")
def scenarios_page(request: Request, user: Manager) -> Response:
    forms = [
        scenario_form.scenario_form(_data_dir(request), name) for name in scenario_files(_data_dir(request))
    ]
    return render(request, "admin_scenarios.html", scenarios=[f for f in forms if f is not None])


def _scenario_page(
    request: Request, form: scenario_form.ScenarioForm, problems: Problems, errors: list[str]
) -> Response:
    return render(
        request, "admin_scenario.html", status_code=422 if problems or errors else 200, form=form,
        problems=problems, errors=errors, kinds=scenario_form.KINDS, channels=scenario_form.CHANNELS,
        templates=scenario_form.template_names(), done=request.query_params.get("done"),
    )  # fmt: skip


@router.get("/admin/settings/scenarios/{name}")
def scenario_page(request: Request, user: Manager, name: str) -> Response:
    form = scenario_form.scenario_form(_data_dir(request), name)
    if form is None:
        raise NotFound(f"no scenario {name}")
    return _scenario_page(request, form, Problems(), [])


@router.post("/admin/settings/scenarios/{name}", dependencies=[CsrfChecked])
async def save_scenario(request: Request, session: SessionDep, user: Manager, name: str) -> Response:
    if name not in scenario_files(_data_dir(request)):  # only known names: no path can escape
        raise NotFound(f"no scenario {name}")
    form = scenario_form.read_form(name, await request.form())
    document, problems = scenario_form.scenario_toml(form)
    errors = [] if problems else scenario_form.scenario_errors(_data_dir(request), name, document)
    if problems or errors:
        shown = form._replace(steps=[*form.steps, scenario_form.StepRow()])
        # the loader speaks English: French pages say it in general and keep the English out
        said = (
            errors
            if language_of(request) == "en"
            else ([text("adm_scenario_refused", "fr")] if errors else [])
        )
        return _scenario_page(request, shown, problems, said)
    save_data_file(session, user.email, _data_dir(request), f"scenarios/{name}.toml", document)
    return RedirectResponse(f"/admin/settings/scenarios/{name}?done=1", status_code=303)


# SMTP ------------------------------------------------------------------------------------
def _smtp_values(request: Request) -> dict[str, Any]:
    stored = stored_smtp(_data_dir(request))
    if stored is None:
        return {"port": "587", "security": "starttls"}
    return {**stored._asdict(), "password": ""}


def _smtp_page(
    request: Request, values: dict[str, Any], problems: Problems | None = None, **extra: Any
) -> Response:
    return _form_page(
        request, "smtp", SMTP_FIELDS, values, problems, env_smtp=bool(app_settings(request).smtp_url), **extra
    )


@router.get("/admin/settings/smtp")
def smtp_page(request: Request, user: Manager) -> Response:
    return _smtp_page(request, _smtp_values(request))


@router.post("/admin/settings/smtp", dependencies=[CsrfChecked])
async def save_smtp(request: Request, session: SessionDep, user: Manager) -> Response:
    form = await form_values(request)
    server, problems = smtp.read_smtp_form(form, stored_smtp(_data_dir(request)))
    if server is None:
        return _smtp_page(request, form, problems)
    save_data_file(session, user.email, _data_dir(request), SMTP_FILE, smtp.smtp_toml(server))
    return RedirectResponse("/admin/settings/smtp?done=1", status_code=303)


@router.post("/admin/settings/smtp/test", dependencies=[CsrfChecked])
async def test_smtp(request: Request, session: SessionDep, user: Manager) -> Response:
    """Sends one e-mail with the form's server (saved or not) to the address given."""
    form = await form_values(request)
    server, problems = smtp.read_smtp_form(form, stored_smtp(_data_dir(request)))
    recipient = form.get("recipient", "").strip()
    if "@" not in recipient:
        problems["recipient"] = "adm_bad_email"
    if server is None or problems:
        return _smtp_page(request, form, problems)
    lang = language_of(request)
    result = smtp.test_and_record(
        session, user.email, _data_dir(request), server, recipient, text("adm_test_subject", lang),
        text("adm_test_body", lang),
    )  # fmt: skip
    return _smtp_page(request, {**form, "password": ""}, test=result)


# payment link ----------------------------------------------------------------------------
@router.get("/admin/settings/payment-link")
def payment_link_page(request: Request, user: Manager) -> Response:
    stored = get_setting(request.app.state.engine, payment_link.KEY) or ""
    return _form_page(
        request, "payment_link", LINK_FIELDS, {"payment_link": stored},
        env_link=bool(app_settings(request).payment_link),
    )  # fmt: skip


@router.post("/admin/settings/payment-link", dependencies=[CsrfChecked])
async def save_payment_link(request: Request, session: SessionDep, user: Manager) -> Response:
    form = await form_values(request)
    template = form.get("payment_link", "").strip()
    problem = payment_link.link_problem(template)
    if problem:
        return _form_page(request, "payment_link", LINK_FIELDS, form, Problems(payment_link=problem))
    payment_link.save_payment_link(session, user.email, template)
    return RedirectResponse("/admin/settings/payment-link?done=1", status_code=303)


# rate tables -----------------------------------------------------------------------------
def _rate_file(which: str) -> rate_files.RateFile:
    chosen = rate_files.RATE_FILES.get(which)
    if chosen is None:
        raise NotFound(f"no rate table {which}")
    return chosen


@router.get("/admin/settings/rates/{which}")
def rates_page(request: Request, user: Manager, which: str) -> Response:
    chosen = _rate_file(which)
    return render(
        request, "admin_rates.html", chosen=chosen, text=rate_files.rate_text(_data_dir(request), chosen),
        errors=[], done=request.query_params.get("done"),
    )  # fmt: skip


@router.post("/admin/settings/rates/{which}", dependencies=[CsrfChecked])
async def save_rates(request: Request, session: SessionDep, user: Manager, which: str) -> Response:
    chosen = _rate_file(which)
    document = (await form_values(request)).get("text", "")[:MAX_TEXT]
    errors = chosen.check(document, chosen.name)
    if errors:
        lang = language_of(request)
        said = [f"{e.file}:{e.line} [{e.field}] {line_message(e.message, lang)[0]}" for e in errors[:50]]
        return render(
            request, "admin_rates.html", status_code=422, chosen=chosen, text=document, errors=said, done=None
        )
    save_data_file(session, user.email, _data_dir(request), chosen.name, document)
    return RedirectResponse(f"/admin/settings/rates/{which}?done=1", status_code=303)
