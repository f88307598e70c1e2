"""Dunning screens: recent actions, a preview of the next run, scenario and template editing.

Scenarios and templates are the dunning capability's files: edits are validated with
its own loaders and saved in the user's data directory, where it looks first.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from encours.audit.service import record
from encours.data_files import user_or_shipped
from encours.domain.errors import NotFound
from encours.domain.money import format_amount
from encours.dunning import service as dunning
from encours.dunning.scenarios import load_scenarios, scenario_files, user_scenarios_dir
from encours.dunning.template_check import check_templates
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, SessionDep, UiUser, app_settings, as_of_param, ui_permission
from encours.web.ui.line_messages import said_line
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
AsOf = Annotated[dt.date, Depends(as_of_param)]
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT = 100_000


def shipped_templates() -> list[str]:
    """``<language>/<email|letters>/<name>``, as the dunning capability ships them."""
    root = resources.files("encours.dunning").joinpath("templates")
    found = []
    for language in sorted(p.name for p in root.iterdir() if p.is_dir()):
        for kind in ("email", "letters"):
            folder = root.joinpath(language).joinpath(kind)
            if folder.is_dir():
                found += [
                    f"{language}/{kind}/{p.name}" for p in sorted(folder.iterdir(), key=lambda p: p.name)
                ]
    return found


def template_text(path: str, data_dir: Path) -> str:
    """The user's copy of a template, else the shipped one."""
    return user_or_shipped(f"templates/{path}", data_dir, package="encours.dunning").read_text()


def _data_dir(request: Request) -> Path:
    return app_settings(request).data_dir


def recent_actions(session: SessionDep, limit: int = 200) -> list[dict[str, Any]]:
    rows = dunning.list_actions(session)
    return [
        {
            "customer": r.customer_id, "date": r.as_of.isoformat(), "step": r.step, "channel": r.channel,
            "status": r.status, "reason": r.reason or "", "invoices": ", ".join(map(str, r.invoice_ids)),
            "amount": f"{format_amount(r.amount)} {r.currency}",
        }
        for r in sorted(rows, key=lambda r: r.id, reverse=True)[:limit]
    ]  # fmt: skip


def preview_rows(request: Request, as_of: dt.date) -> tuple[list[dict[str, Any]], str | None]:
    try:
        config = dunning.load_config(app_settings(request))
    except dunning.ConfigurationError as exc:
        return [], "\n".join(said_line(error, language_of(request)) for error in exc.errors)
    decisions = dunning.preview(request.app.state.engine, config, as_of)
    rows = [
        {
            "customer": a.customer_id, "scenario": a.scenario, "step": a.step.key,
            "channel": a.step.channel.value, "invoices": ", ".join(c.reference for c in a.invoices),
            "amount": f"{format_amount(a.amount)} {a.currency}",
        }
        for a in decisions.actions
    ]  # fmt: skip
    return rows, None


@router.get("/dunning")
def dunning_page(
    request: Request,
    session: SessionDep,
    user: UiUser,
    as_of: AsOf,
    preview: Annotated[bool, Query()] = False,
) -> Response:
    planned, error = preview_rows(request, as_of) if preview else ([], None)
    return render(
        request,
        "dunning.html",
        as_of=as_of,
        actions=recent_actions(session),
        preview=preview,
        planned=planned[:1000],
        planned_count=len(planned),
        error=error,
        scenarios=sorted(scenario_files(_data_dir(request))),
        templates=shipped_templates(),
    )


@router.get("/dunning/scenarios/{name}")
def scenario_page(request: Request, user: UiUser, name: str) -> Response:
    files = scenario_files(_data_dir(request))
    if name not in files:
        raise NotFound.because("no_scenario", name=name)
    source, text = files[name]
    return render(request, "edit_file.html", kind="scenario", item=name, source=source, text=text, errors=[])


@router.post("/dunning/scenarios/{name}", dependencies=[CsrfChecked])
def save_scenario(
    request: Request,
    session: SessionDep,
    user: Manager,
    name: str,
    text: Annotated[str, Form(max_length=MAX_TEXT)],
) -> Response:
    files = scenario_files(_data_dir(request))
    if name not in files or not NAME.match(name):
        raise NotFound.because("no_scenario", name=name)
    target = user_scenarios_dir(_data_dir(request)) / f"{name}.toml"
    candidate = {**files, name: (str(target), text)}
    errors = [said_line(e, language_of(request)) for e in load_scenarios(candidate).errors]
    if errors:
        return render(
            request, "edit_file.html", status_code=422, kind="scenario", item=name, source=str(target),
            text=text, errors=errors,
        )  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    record(session, user.email, "dunning.scenario_edited", subject=name, details={"file": str(target)})
    return RedirectResponse(f"/dunning/scenarios/{name}?done=1", status_code=303)


@router.get("/dunning/templates/{path:path}")
def template_page(request: Request, user: UiUser, path: str) -> Response:
    if path not in shipped_templates():
        raise NotFound.because("no_template", name=path)
    return render(
        request,
        "edit_file.html",
        kind="template",
        item=path,
        source=path,
        text=template_text(path, _data_dir(request)),
        errors=[],
    )


@router.post("/dunning/templates/{path:path}", dependencies=[CsrfChecked])
def save_template(
    request: Request,
    session: SessionDep,
    user: Manager,
    path: str,
    text: Annotated[str, Form(max_length=MAX_TEXT)],
) -> Response:
    if path not in shipped_templates():  # only known names: no path can escape the folder
        raise NotFound.because("no_template", name=path)
    errors = [said_line(e, language_of(request)) for e in check_templates(_data_dir(request), {path: text})]
    if errors:  # it must render in the sandbox, in both languages, before any run relies on it
        return render(
            request, "edit_file.html", status_code=422, kind="template", item=path, source=path, text=text,
            errors=errors,
        )  # fmt: skip
    target = _data_dir(request) / "templates" / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    record(session, user.email, "dunning.template_edited", subject=path)
    return RedirectResponse(f"/dunning/templates/{path}?done=1", status_code=303)
