"""A refused form comes back filled in, with the faulty field marked and the reason beside it.

When a form posted from a page is refused (a 422 with the field at fault, or FastAPI's own
validation of a form field), the page it came from (its ``back`` field, else the Referer of
this site) is rendered again through the app itself, as the same signed-in user; the form
whose action was posted (and whose hidden fields match, when several post to one address) gets
the typed values back, ``aria-invalid`` on the field and the message next to it, in the
user's language. Anything that does not fit (no page to return to, the form gone) falls back
to the plain error page.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx
from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from lxml import html as lxml_html
from lxml.html import HtmlElement
from starlette.datastructures import FormData
from starlette.types import Receive, Scope, Send

from encours.web.admission import INNER_REQUEST

KEPT_OUT = {"csrf_token", "password", "new_password", "current_password"}  # never echoed back
TYPED = {"text", "date", "number", "email", "search", "tel", "url", "month", ""}


def referring_page(request: Request, form: FormData) -> str | None:
    """The local page the form was posted from: its ``back`` field, else this site's Referer."""
    back = str(form.get("back") or "")
    if not back:
        referer = urlsplit(request.headers.get("referer", ""))
        if referer.netloc and referer.netloc != request.url.netloc:
            return None
        back = referer.path + (f"?{referer.query}" if referer.query else "")
    if not back.startswith("/") or back.startswith("//") or urlsplit(back).path == request.url.path:
        return None
    return back


async def _page(request: Request, target: str) -> str | None:
    """The page at ``target`` as this user sees it (same cookies), through the app itself."""
    headers = {k: v for k, v in request.headers.items() if k in ("cookie", "accept-language", "user-agent")}
    app = request.app

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:  # within this request's slot
        await app({**scope, INNER_REQUEST: True}, receive, send)

    transport = httpx.ASGITransport(app=inner, client=("127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url)) as client:
        answer = await client.get(target, headers=headers)
    if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
        return None
    return answer.text


def _posted_form(tree: HtmlElement, action: str, form: FormData) -> HtmlElement | None:
    """The form that was posted: its action, and the hidden fields it sent (kind=promise...)."""
    candidates = [f for f in tree.xpath("//form") if urlsplit(f.get("action") or "").path == action]

    def agrees(candidate: HtmlElement) -> bool:
        hidden = candidate.xpath(".//input[@type='hidden'][@name]")
        return all(
            h.get("name") in KEPT_OUT or form.get(h.get("name")) in (None, h.get("value")) for h in hidden
        )

    matching = [f for f in candidates if agrees(f)]
    return matching[0] if len(matching) == 1 else None


def _fill(target: HtmlElement, form: FormData) -> None:
    for field in target.xpath(".//input[@name]|.//select[@name]|.//textarea[@name]"):
        name = field.get("name")
        if name in KEPT_OUT or name not in form:
            continue
        values: Sequence[str] = [str(v) for v in form.getlist(name)]
        kind = (field.get("type") or "").lower()
        if field.tag == "select":
            for option in field.xpath(".//option"):
                option.attrib.pop("selected", None)
                if (option.get("value") or option.text_content()) in values:
                    option.set("selected", "selected")
        elif field.tag == "textarea":
            field.text = values[0]
        elif kind in ("checkbox", "radio"):
            field.attrib.pop("checked", None)
            if field.get("value", "on") in values:
                field.set("checked", "checked")
        elif kind in TYPED:
            field.set("value", values[0])


def _mark(target: HtmlElement, field: str | None, message: str) -> None:
    """aria-invalid on the field, its message right after it, and an alert at the form's top."""
    note_id = f"error-{field or 'form'}"
    alert = lxml_html.fragment_fromstring('<p class="alert" role="alert"></p>')
    alert.text = message
    alert.set("id", note_id)
    fields = target.xpath(".//*[@name=$name][not(@type='hidden')]", name=field) if field else []
    if not fields:
        target.insert(0, alert)
        return
    first = fields[0]
    for element in fields:
        element.set("aria-invalid", "true")
        element.set("aria-describedby", note_id)
    first.set("autofocus", "autofocus")
    beside = lxml_html.fragment_fromstring('<span class="field-error" role="alert"></span>')
    beside.text = message
    beside.set("id", note_id)
    anchor = (
        first.getparent() if first.getparent() is not None and first.getparent().tag == "label" else first
    )
    beside.tail, anchor.tail = anchor.tail, None
    anchor.addnext(beside)


async def refilled_form(request: Request, status: int, field: str | None, message: str) -> Response | None:
    """The referring page with the refused form filled in and marked with ``message`` (said in the
    reader's language), else None."""
    if request.method != "POST" or "form" not in request.headers.get("content-type", ""):
        return None
    form = await request.form()
    back = referring_page(request, form)
    page = await _page(request, back) if back else None
    if page is None:
        return None
    tree = lxml_html.document_fromstring(page)
    target = _posted_form(tree, request.url.path, form)
    if target is None:
        return None
    _fill(target, form)
    _mark(target, field, message)
    body = lxml_html.tostring(tree, doctype="<!doctype html>", encoding="unicode")
    return HTMLResponse(body, status_code=status)
