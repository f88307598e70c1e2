"""The audit-trail view: who did what, to which customer, when; filtered and paginated."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response

from encours.audit.service import AuditFilter, action_kinds, search
from encours.users.roles import Permission
from encours.users.service import User, UserService
from encours.web.api.admin import day_start
from encours.web.deps import IsoDay, SessionDep, ui_permission
from encours.web.ui.render import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[User, Depends(ui_permission(Permission.MANAGE))]
PAGE = 50
PARIS = ZoneInfo("Europe/Paris")


def local_time(at: dt.datetime) -> dt.datetime:
    """Events are stored in UTC; people read them in Paris time."""
    return at.astimezone(PARIS)


@router.get("/admin/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: Manager,
    customer_id: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=255)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    since: IsoDay | None = None,
    until: IsoDay | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    where = AuditFilter(
        customer_id.strip() or None, actor.strip() or None, action.strip() or None,
        day_start(since), day_start(until, 1),
    )  # fmt: skip
    found = search(session, where, (page - 1) * PAGE, PAGE)
    days = {"since": since.isoformat() if since else "", "until": until.isoformat() if until else ""}
    query = {"customer_id": customer_id, "actor": actor, "action": action, **days}
    kept = urlencode({key: value for key, value in query.items() if value})
    return render(
        request, "admin_audit.html", found=found, page=page, filters=query, kept=kept,
        kinds=action_kinds(session), local=local_time, actors=[u.email for u in UserService(session).all()],
    )  # fmt: skip
