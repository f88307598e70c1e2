"""Screens: login, dashboard, customers, aged balance, users (the workspace screens: ui/workspace)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from encours.audit.service import record
from encours.casework.holds import customer_status
from encours.casework.tasks import KINDS as TASK_KINDS
from encours.domain.errors import Forbidden, NotFound
from encours.domain.text_fold import fold
from encours.einvoicing.queries import customer_lifecycle
from encours.ledger.queries import find_customer
from encours.users.errors import InvalidCredentials, LoginThrottled, UserError
from encours.users.roles import Permission, Role
from encours.users.service import User, UserService
from encours.web import dunning_runs, foresight_views, integrations
from encours.web.client_address import request_address
from encours.web.dashboard import dashboard_figures
from encours.web.deps import (
    CsrfChecked,
    SessionDep,
    UiUser,
    app_settings,
    as_of_param,
    session_user,
    ui_permission,
)
from encours.web.figures import Figures
from encours.web.ledger_views import (
    customer_page,
    customer_summary,
    open_items,
    payments,
)
from encours.web.portal.links import DEFAULT_DAYS, make_token, portal_url
from encours.web.ui import exports
from encours.web.ui.charts import localised_charts
from encours.web.ui.render import language_of, render

router = APIRouter(include_in_schema=False)
AsOf = Annotated[dt.date, Depends(as_of_param)]
PAGE = 50


def _figures(request: Request) -> Figures:
    figures: Figures = request.app.state.figures
    return figures


def _safe_next(target: str) -> str:
    """Only local paths: never redirect a signed-in user to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


# sign in / out ------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        user = UserService(session).authenticate(email, password, request_address(request))
    except (InvalidCredentials, LoginThrottled) as exc:
        key = "throttled" if isinstance(exc, LoginThrottled) else "bad_login"
        status = 429 if isinstance(exc, LoginThrottled) else 401
        return render(request, "login.html", status_code=status, next=_safe_next(next), error=key)
    request.session.clear()  # a new session id on login: no fixation
    request.session.update({"uid": user.id, "epoch": user.session_epoch})
    record(session, user.email, "auth.login")
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep) -> Response:
    """Ends every session of the user on the server, not only this browser's cookie."""
    user = session_user(request, session)
    if user is not None:
        UserService(session).end_sessions(user.id, actor=user.email)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/settings/language", dependencies=[CsrfChecked])
def set_language(
    session: SessionDep,
    user: UiUser,
    language: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    UserService(session).update(user.id, actor=user.email, language=language)
    return RedirectResponse(_safe_next(next), status_code=303)


# dashboard ----------------------------------------------------------------------------
@router.get("/")
def dashboard(request: Request, session: SessionDep, user: UiUser, as_of: AsOf) -> Response:
    summary = dashboard_figures(session, _figures(request), as_of, app_settings(request).data_dir)
    summary["charts"] = localised_charts(summary["charts"], language_of(request))
    return render(
        request,
        "dashboard.html",
        as_of=as_of,
        activity=integrations.dunning_activity(session, as_of),
        **summary,
    )


# customers ---------------------------------------------------------------------------
@router.get("/customers")
def customers_page(
    request: Request,
    session: SessionDep,
    user: UiUser,
    as_of: AsOf,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    found = customer_page(session, as_of, q, (page - 1) * PAGE, PAGE)
    pages = max(1, -(-found.total // PAGE))
    return render(request, "customers.html", as_of=as_of, q=q, page=page, pages=pages, found=found)


@router.get("/customers/{customer_id}")
def customer_sheet(
    request: Request, session: SessionDep, user: UiUser, customer_id: str, as_of: AsOf
) -> Response:
    stored = find_customer(session, customer_id)
    if stored is None:
        raise NotFound.because("no_customer", customer=customer_id)
    items = open_items(session, [stored.pk], as_of)
    summary = customer_summary(session, stored, as_of, items)
    limit = summary.customer.credit_limit
    status = customer_status(session, customer_id, as_of)  # its holds, read once for credit and pause
    return render(
        request,
        "customer.html",
        as_of=as_of,
        c=summary.customer,
        summary=summary,
        items=items,
        payments=payments(session, stored.pk, as_of, 20),
        credit_use=None if not limit else summary.balance / limit,
        score=foresight_views.risk_score(session, customer_id, as_of, user.language),
        credit=integrations.credit(session, stored, summary, as_of, app_settings(request).data_dir, status),
        timeline=integrations.timeline(session, customer_id, 50),
        lifecycle=customer_lifecycle(session, stored.pk),
        paused=dunning_runs.pause_end(status.holds),
        users=UserService(session).all(),
        kinds=TASK_KINDS,
        portal=request.query_params.get("portal"),
        done=request.query_params.get("done"),
    )


ACTIONS = {"note": Permission.COMMENT, "call": Permission.WORK, "promise": Permission.WORK,
           "dispute": Permission.WORK, "assign": Permission.WORK}  # fmt: skip


@router.post("/customers/{customer_id}/actions", dependencies=[CsrfChecked])
def customer_action(
    request: Request,
    session: SessionDep,
    user: UiUser,
    customer_id: str,
    kind: Annotated[str, Form(max_length=16)],
    text: Annotated[str, Form(max_length=5000)] = "",
    invoice_id: Annotated[str, Form(max_length=255)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    promised_date: Annotated[str, Form(max_length=10)] = "",
    assignee: Annotated[str, Form(max_length=255)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
    as_of: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    permission = ACTIONS.get(kind)
    if permission is None:
        raise UserError.because("unknown_action", field="kind", kind=kind)
    from encours.users.roles import allows

    if not allows(user.role, permission):
        raise Forbidden.because("role_may_not", permission=permission.value)
    if find_customer(session, customer_id) is None:
        raise NotFound.because("no_customer", customer=customer_id)
    integrations.customer_action(
        session,
        user.email,
        customer_id,
        integrations.ActionForm(kind, text, invoice_id, amount, promised_date, assignee, as_of),
    )
    target = _safe_next(back) if back else f"/customers/{customer_id}"
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}done={kind}", status_code=303)


@router.post("/customers/{customer_id}/portal-link", dependencies=[CsrfChecked])
def customer_portal_link(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(ui_permission(Permission.WORK))],
    customer_id: str,
) -> Response:
    if find_customer(session, customer_id) is None:
        raise NotFound.because("no_customer", customer=customer_id)
    url = portal_url(
        make_token(request.app.state.keys.portal, customer_id, DEFAULT_DAYS), app_settings(request).base_url
    )
    record(
        session, user.email, "portal.link_created", customer_id=customer_id, details={"days": DEFAULT_DAYS}
    )
    return RedirectResponse(f"/customers/{customer_id}?{urlencode({'portal': url})}", status_code=303)


# aged balance -------------------------------------------------------------------------
@router.get("/aging")
def aging_page(
    request: Request,
    session: SessionDep,
    user: UiUser,
    as_of: AsOf,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    sort: Annotated[str, Query(pattern="^(customer_id|total)$")] = "total",
) -> Response:
    balances = _figures(request).aging(session, as_of)
    needle = fold(q.strip())
    views: list[dict[str, Any]] = []
    for balance in balances:
        rows = [
            r for r in balance.rows if not needle or needle in fold(r.customer_id) or needle in fold(r.name)
        ]
        if sort == "total":
            rows.sort(key=lambda r: (-r.total, r.customer_id))
        pages = max(1, -(-len(rows) // PAGE))
        views.append(
            {
                "balance": balance,
                "rows": rows[(page - 1) * PAGE : page * PAGE],
                "count": len(rows),
                "pages": pages,
            }
        )
    return render(request, "aging.html", as_of=as_of, views=views, q=q, page=page, sort=sort)


@router.get("/aging.csv")
def aging_csv(request: Request, session: SessionDep, user: UiUser, as_of: AsOf) -> Response:
    body = exports.aging_csv(_figures(request).aging(session, as_of), language_of(request))
    return exports.download(body, exports.CSV, f"aging-{as_of.isoformat()}.csv")


@router.get("/aging.xlsx")
def aging_xlsx(request: Request, session: SessionDep, user: UiUser, as_of: AsOf) -> Response:
    body = exports.aging_xlsx(_figures(request).aging(session, as_of), language_of(request))
    return exports.download(body, exports.XLSX, f"aging-{as_of.isoformat()}.xlsx")


# users (admin) ------------------------------------------------------------------------
Admin = Annotated[User, Depends(ui_permission(Permission.ADMIN_USERS))]


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, user: Admin) -> Response:
    return render(request, "users.html", users=UserService(session).all(), roles=list(Role), error=None)


@router.post("/admin/users", dependencies=[CsrfChecked])
def create_user(
    request: Request,
    session: SessionDep,
    user: Admin,
    email: Annotated[str, Form(max_length=255)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=1024)],
    language: Annotated[str, Form(max_length=8)] = "fr",
    digest: Annotated[bool, Form()] = False,
) -> Response:
    UserService(session).create(email, role, password, actor=user.email, language=language, digest=digest)
    return RedirectResponse("/admin/users", status_code=303)
