"""The worklist's table rows, each printed by one format string with its cells escaped.

A page has 50 rows of eleven cells; as Jinja expressions each row cost some sixty escapes and
generator steps through the page's blocks (a third of the page's time). Here each cell is
formatted once in the user's language (Babel patterns cached by ``i18n``), escaped by
markupsafe, and the row is one ``str.format``: the same HTML, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from markupsafe import Markup, escape

from encours.web.ui import i18n
from encours.web.worklist_view import Row

ROW = """
<tr class="work-item" data-customer="{cid}" data-bucket="{bucket}" tabindex="0">
  <td>{tick}</td>
  <td>{number}</td>
  <td><a class="open" href="/customers/{cid}?as_of={day}">{name}</a><br><small>{cid}</small></td>
  <td class="num">{overdue}</td>
  <td class="opt">{bucket_text}</td>
  <td class="opt">{stage}</td>
  <td>{next_action}</td>
  <td class="opt collector">{collector}</td>
  <td class="opt">{last_contact}</td>
  <td class="opt">{risk}</td>
  <td class="opt">{call}</td>
</tr>
"""
TICK = (
    '<input type="checkbox" name="customer_ids" value="{cid}" form="bulk" class="tick"'
    ' aria-label="{select} {name}">'
)
CALL = """
    <form method="post" action="/customers/{cid}/actions" class="inline">
      <input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="back" value="/worklist?{query}&as_of={day}">
      <input type="hidden" name="kind" value="call">
      <input type="text" name="text" placeholder="{note}" aria-label="{log_call} {name}" maxlength="5000" size="14">
      <button class="act-call">{log_call}</button>
    </form>"""  # noqa: E501
NEXT = '{kind} · <span class="{late}">{due}</span>'


class Page(NamedTuple):
    """What every row of a page shares."""

    as_of: dt.date
    language: str
    first: int  # the number of the page's first row
    can_work: bool  # the tick box and the call form
    csrf: str
    query: str  # the page's filters, for the call form's way back


def stage_label(step: str, language: str) -> str:
    """A dunning step's name on screen (its key when it has no text)."""
    key = f"wl_stage_{step}"
    said = i18n.text(key, language)
    return step if said == key else said


def rows_html(rows: list[Row], page: Page) -> list[Markup]:
    lang = page.language
    said = {key: escape(i18n.text(key, lang)) for key in ("days", "select_customer", "note", "log_call")}
    shared = {"day": page.as_of.isoformat(), "csrf": escape(page.csrf), "query": escape(page.query)}
    printed = []
    for number, row in enumerate(rows, start=page.first):
        item, task = row.item, row.next_action
        cells = {  # what a user or an import wrote, escaped (dates and numbers need not be)
            "cid": escape(item.customer_id), "name": escape(item.name), "bucket": escape(row.bucket),
            "stage": escape(stage_label(row.stage, lang)) if row.stage else "–",
            "collector": escape(row.collector) if row.collector else "–", "risk": escape(row.risk or "–"),
        }  # fmt: skip
        tick = TICK.format(select=said["select_customer"], **cells) if page.can_work else ""
        printed.append(Markup(ROW.format(
            **shared, **cells, number=number, overdue=escape(i18n.money(item.overdue, item.currency, lang)),
            bucket_text=f"{cells['bucket']} {said['days']}" if row.bucket else "",
            next_action="–" if task is None else NEXT.format(
                kind=escape(i18n.text(f"task_kind_{task.kind}", lang)), due=i18n.day(task.due_date, lang),
                late="bad" if task.due_date < page.as_of else "",
            ),
            last_contact=i18n.day(row.last_contact, lang) if row.last_contact else "–", tick=tick,
            call=CALL.format(**said, **shared, **cells) if page.can_work else "",
        )))  # fmt: skip
    return printed
