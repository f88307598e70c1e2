"""Rendering pages: the Jinja2 environment with texts and Babel formatting for the user's language."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from encours.domain import punctuation
from encours.domain.money import format_amount
from encours.users.roles import Permission, allows
from encours.web.deps import csrf_token, open_session
from encours.web.ui import i18n
from encours.web.ui.menu import menu
from encours.web.ui.reasons import localised_reason
from encours.web.ui.texts import TEXTS
from encours.web.ui.timeline_text import timeline_line

TEMPLATES = Path(__file__).parent / "templates"
PORTAL_TEMPLATES = Path(__file__).parents[1] / "portal" / "templates"
templates = Jinja2Templates(directory=[TEMPLATES, PORTAL_TEMPLATES])


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def chart_data(value: object) -> Markup:
    """JSON for a <script type="application/json"> block, safe inside HTML."""
    text = json.dumps(value, default=_json_default).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text)


def language_of(request: Request) -> str:
    user = getattr(request.state, "user", None)
    if user is not None:
        return str(user.language)
    lang = request.query_params.get("lang", "")
    if lang in i18n.LOCALES:
        return lang
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "fr"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    lang = context.pop("lang", None) or language_of(request)
    user = getattr(request.state, "user", None)
    base = {
        "lang": lang,
        "t": lambda key: i18n.text(key, lang),
        "money": lambda amount, currency="EUR": i18n.money(amount, currency, lang),
        "number": lambda value, places=1: i18n.number(value, lang, places),
        "mark": lambda sign: punctuation.mark(sign, lang),
        "percent": lambda value, places=1: i18n.percent(value, lang, places),
        "day": lambda value: i18n.day(value, lang) if value else "",
        "reason": lambda value: localised_reason(value, lang),
        "timeline_line": lambda item: timeline_line(item, lang),
        "has_text": lambda key: key in TEXTS,
        "user": user,
        "can": (lambda p: allows(user.role, Permission(p))) if user else (lambda p: False),
        "chart_data": chart_data,
        "path": request.url.path,
        "menu": menu,
    }
    if "csrf" not in context and not request.url.path.startswith("/portal/"):
        base["csrf"] = csrf_token(request)
    if user is not None and "unread" not in context:
        base["unread"] = unread_notifications(request, user.id)
    base.update(context)
    return templates.TemplateResponse(request, name, base, status_code=status_code)


def unread_notifications(request: Request, user_id: int) -> int:
    """The bell's count: one indexed query, after the page's work, in the request's own unit of
    work while it is open (it sees what the page changed), else in a session of its own."""
    from encours.casework.notifications import unread_count
    from encours.storage.database import unit_of_work

    session = open_session(request)
    if session is not None:
        return unread_count(session, user_id)
    with unit_of_work(request.app.state.engine) as own:
        return unread_count(own, user_id)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status_code=status, status=status, message=message)
