"""Dunning screens: recent actions, a preview of the next run, scenario and template editing.

Scenarios and templates are the dunning capability's files: edits are validated with
its own loaders and saved in the user's data directory, where it looks first.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from encours.domain.errors import NotFound
from encours.domain.money import format_amount
from encours.dunning import service as dunning
from encours.dunning.scenarios import scenario_files
from encours.users.roles import Permission
from encours.users.service import User
from encours.web.deps import CsrfChecked, SessionDep, UiUser, app_settings, as_of_param, ui_permission
from encours.web.setup import dunning_files
from encours.web.setup.dunning_files import shipped_templates, template_text
from encours.web.ui.render import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
AsOf = Annotated[dt.date, Depends(as_of_param)]
MAX_TEXT = 100_000


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
        return [], "\n".join(map(str, exc.errors))
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
        raise NotFound(f"no scenario {name}")
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
    target = dunning_files.scenario_target(_data_dir(request), name)
    errors = dunning_files.save_scenario(session, user.email, _data_dir(request), name, text)
    if errors:
        return render(
            request, "edit_file.html", status_code=422, kind="scenario", item=name, source=str(target),
            text=text, errors=errors,
        )  # fmt: skip
    return RedirectResponse(f"/dunning/scenarios/{name}?done=1", status_code=303)


@router.get("/dunning/templates/{path:path}")
def template_page(request: Request, user: UiUser, path: str) -> Response:
    if path not in shipped_templates():
        raise NotFound(f"no template {path}")
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
    errors = dunning_files.save_template(session, user.email, _data_dir(request), path, text)
    if errors:  # it must render in the sandbox, in both languages, before any run relies on it
        return render(
            request, "edit_file.html", status_code=422, kind="template", item=path, source=path, text=text,
            errors=errors,
        )  # fmt: skip
    return RedirectResponse(f"/dunning/templates/{path}?done=1", status_code=303)
