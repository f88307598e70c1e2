"""Boards on the screen and in the API a page at a time: the pager's links keep the filters,
the API says the total in ``X-Total-Count`` and slices with ``limit``/``offset``."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.web.conftest import AS_OF, browser_login, email

from encours.casework import disputes
from encours.domain.plans import InstalmentState, InstalmentStatus
from encours.domain.text_fold import fold
from encours.storage.database import get_engine, unit_of_work
from encours.web import boards
from encours.web.app import create_app
from encours.web.workspace_actions import open_invoices

Headers = dict[str, dict[str, str]]


def _open_disputes(session: Session, count: int) -> list[int]:
    """``count`` open disputes on the demo's first customers' open invoices, newest last."""
    made: list[int] = []
    for n in range(1, 200):
        cid = f"C{n:05d}"
        for invoice in open_invoices(session, cid, dt.date.fromisoformat(AS_OF))[:1]:
            case = disputes.open_dispute(session, cid, invoice.invoice_id, reason="price", actor="t")
            made.append(case.dispute_id)
        if len(made) == count:
            return made
    raise AssertionError("not enough open invoices in the demo")


def _shown(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-dispute="(\d+)"', html)]


def test_dispute_board_pages_keep_their_filters(own_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with unit_of_work(get_engine(own_url)) as session:
        made = _open_disputes(session, 5)
        disputes.resolve_dispute(session, made[0], resolution="credit note", actor="t")
    monkeypatch.setattr(boards, "PAGE", 2)
    with TestClient(create_app(own_url)) as client:
        browser_login(client, "collector")
        newest = sorted(made[1:], reverse=True)  # the open ones
        first = client.get("/disputes", params={"status": "open"})
        assert first.status_code == 200
        assert _shown(first.text) == newest[:2]  # open only, newest first, two a page
        assert "?status=open&page=2" in first.text  # the pager keeps the filter
        second = client.get("/disputes", params={"status": "open", "page": 2})
        assert _shown(second.text) == newest[2:4]
        everything = client.get("/disputes", params={"page": 1})
        assert made[0] not in _shown(everything.text)  # the resolved one comes after the open ones


def _selected(html: str, dispute_id: int, name: str) -> list[str]:
    """The values chosen in the ``name`` select of a dispute's row."""
    row = html.split(f'data-dispute="{dispute_id}"', 1)[1].split("</tr>", 1)[0]
    select = row.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_dispute_rows_each_show_their_own_category_and_owner(own_url: str) -> None:
    """Rows share one rendering of a select per chosen value: each still shows its own."""
    with unit_of_work(get_engine(own_url)) as session:
        made = _open_disputes(session, 4)
        for dispute_id, category in zip(made, ("price", "quality", "price"), strict=False):
            disputes.categorise_dispute(session, dispute_id, category, actor="t")
        disputes.assign_dispute(session, made[1], email("collector"), actor="t")
        disputes.resolve_dispute(session, made[2], resolution="credit note", actor="t")
    with TestClient(create_app(own_url)) as client:
        browser_login(client, "collector")
        html = client.get("/disputes").text
        assert _selected(html, made[0], "category") == ["price"]
        assert _selected(html, made[1], "category") == ["quality"]
        assert _selected(html, made[3], "category") == []
        assert _selected(html, made[1], "owner") == [email("collector")]
        assert _selected(html, made[0], "owner") == _selected(html, made[3], "owner") == []
        closed = html.split(f'data-dispute="{made[2]}"', 1)[1].split("</tr>", 1)[0]
        assert "<select" not in closed and "Prix" in closed  # closed: the category said, no form
        browser_login(client, "sales")  # may look, not act: no forms at all
        assert '<select name="category"' not in client.get("/disputes").text


def test_case_lists_in_the_api_are_sliced_and_counted(app_client: TestClient, tokens: Headers) -> None:
    headers = tokens["collector"]
    every = app_client.get("/api/v1/disputes", params={"limit": 1000}, headers=headers)
    assert every.status_code == 200
    total = int(every.headers["X-Total-Count"])
    assert total == len(every.json())
    second = app_client.get("/api/v1/disputes", params={"limit": 1, "offset": 1}, headers=headers)
    assert int(second.headers["X-Total-Count"]) == total
    assert second.json() == every.json()[1:2]
    for path in ("/api/v1/promises", "/api/v1/plans", "/api/v1/tasks", "/api/v1/litigation"):
        answer = app_client.get(path, params={"limit": 2, "as_of": AS_OF}, headers=headers)
        assert answer.status_code == 200, path
        assert len(answer.json()) <= 2 and int(answer.headers["X-Total-Count"]) >= len(answer.json())
    assert app_client.get("/api/v1/disputes", params={"limit": 0}, headers=headers).status_code == 422


def test_worklist_search_ignores_case_and_accents(app_client: TestClient, tokens: Headers) -> None:
    headers, at = tokens["collector"], {"as_of": AS_OF, "collector": ""}
    everyone = app_client.get("/api/v1/worklist/page", params=at, headers=headers).json()
    target = everyone["rows"][0]
    needle = fold(target["name"]).split()[0].upper()  # capitals, accents dropped
    found = app_client.get("/api/v1/worklist/page", params={**at, "q": needle}, headers=headers).json()
    assert target["customer_id"] in [r["customer_id"] for r in found["rows"]]
    assert 0 < found["total"] < everyone["total"]
    assert all(fold(needle) in fold(f"{r['customer_id']} {r['name']}") for r in found["rows"])
    nobody = app_client.get("/api/v1/worklist/page", params={**at, "q": "zzqqxx"}, headers=headers).json()
    assert (nobody["total"], nobody["rows"]) == (0, [])


def test_plan_board_says_each_instalment_paid_late_or_pending() -> None:
    day = dt.date(2026, 4, 30)

    def said(status: InstalmentStatus, due: dt.date, remaining: str) -> str:
        return boards.shown_as(InstalmentState(1, due, Decimal("10"), status, Decimal(remaining), None), day)

    assert said(InstalmentStatus.KEPT, day - dt.timedelta(days=9), "0") == "paid"
    assert said(InstalmentStatus.BROKEN, day + dt.timedelta(days=9), "10") == "late"
    assert said(InstalmentStatus.PENDING, day - dt.timedelta(days=1), "4") == "late"  # due, not all paid
    assert said(InstalmentStatus.PENDING, day - dt.timedelta(days=1), "0") == "pending"
    assert said(InstalmentStatus.PENDING, day, "10") == "pending"  # due today: not late yet
