"""Sessions, CSRF, login throttling, roles and the audit trail of every change."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from tests.web.conftest import PASSWORD, browser_login, csrf_of, email

from encours.audit.models import AuditEventRow
from encours.storage.database import get_engine, unit_of_work
from encours.users.models import LoginAttemptRow


def test_pages_redirect_to_login_and_session_cookie_is_httponly_lax(ui_client: TestClient) -> None:
    first = ui_client.get("/worklist", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login?next=")
    page = ui_client.get("/login")
    response = ui_client.post(
        "/login",
        data={"email": email("sales"), "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert ui_client.get("/worklist").status_code == 200


def test_login_form_without_csrf_is_refused(ui_client: TestClient) -> None:
    ui_client.get("/login")
    response = ui_client.post("/login", data={"email": email("admin"), "password": PASSWORD})
    assert response.status_code == 403
    assert ui_client.get("/", follow_redirects=False).status_code == 303  # still signed out


def test_every_form_post_needs_the_csrf_token(ui_client: TestClient) -> None:
    csrf = browser_login(ui_client, "collector")
    action = {"kind": "note", "text": "hello"}
    assert ui_client.post("/customers/C00001/actions", data=action).status_code == 403
    assert (
        ui_client.post("/customers/C00001/actions", data={**action, "csrf_token": "forged"}).status_code
        == 403
    )
    ok = ui_client.post(
        "/customers/C00001/actions", data={**action, "csrf_token": csrf}, follow_redirects=False
    )
    assert ok.status_code == 303
    # the session also authenticates the API, but its writes need the CSRF header
    note = {"text": "via api"}
    assert ui_client.post("/api/v1/customers/C00001/notes", json=note).status_code == 403
    headers = {"X-CSRF-Token": csrf}
    assert ui_client.post("/api/v1/customers/C00001/notes", json=note, headers=headers).status_code == 201


def test_login_is_throttled_after_five_failures(app_client: TestClient, web_url: str) -> None:
    user = email("credit_manager")
    try:
        for _ in range(5):
            response = app_client.post("/api/v1/auth/token", data={"username": user, "password": "nope nope"})
            assert response.status_code == 401
        throttled = app_client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
        assert throttled.status_code == 429
        # another account is not affected
        other = app_client.post("/api/v1/auth/token", data={"username": email("admin"), "password": PASSWORD})
        assert other.status_code == 200
    finally:  # the database is shared: later tests (in any order) sign in as this user
        with unit_of_work(get_engine(web_url)) as session:
            session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.username == user))


def test_roles_see_and_do_only_what_they_may(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    note = {"text": "called, will pay friday"}
    for role in ("admin", "credit_manager", "collector", "sales"):
        headers = tokens[role]
        assert app_client.get("/api/v1/customers", headers=headers).status_code == 200
        assert (
            app_client.post("/api/v1/customers/C00002/notes", json=note, headers=headers).status_code == 201
        )
        link = app_client.post("/api/v1/customers/C00002/portal-link", headers=headers)
        assert link.status_code == (403 if role == "sales" else 201), role
        users = app_client.get("/api/v1/users", headers=headers)
        assert users.status_code == (200 if role == "admin" else 403), role
    new_user = {"email": "new@encours.test", "role": "sales", "password": "Violon-marelle-8823-brume"}
    assert (
        app_client.post("/api/v1/users", json=new_user, headers=tokens["credit_manager"]).status_code == 403
    )
    assert app_client.post("/api/v1/users", json=new_user, headers=tokens["admin"]).status_code == 201
    assert app_client.post("/api/v1/users", json=new_user, headers=tokens["admin"]).status_code == 409


def test_sales_may_comment_but_not_work_items_in_the_ui(ui_client: TestClient) -> None:
    csrf = browser_login(ui_client, "sales")
    call = {"kind": "call", "text": "rang", "csrf_token": csrf}
    assert ui_client.post("/customers/C00003/actions", data=call).status_code == 403
    note = {"kind": "note", "text": "client visit next week", "csrf_token": csrf}
    assert ui_client.post("/customers/C00003/actions", data=note, follow_redirects=False).status_code == 303
    assert ui_client.get("/admin/users").status_code == 403


def test_changes_are_audited_with_their_author(ui_client: TestClient, web_url: str) -> None:
    csrf = browser_login(ui_client, "collector")
    soon = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    form = {"kind": "promise", "promised_date": soon, "amount": "120.50", "csrf_token": csrf}
    assert ui_client.post("/customers/C00004/actions", data=form, follow_redirects=False).status_code == 303
    with unit_of_work(get_engine(web_url)) as session:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.customer_id == "C00004")
            .order_by(AuditEventRow.id.desc())
        ).all()
    assert rows and rows[0].actor == email("collector") and rows[0].action == "promise.made"
    assert rows[0].details.get("amount") == "120.50"
    sheet = ui_client.get("/customers/C00004")
    assert email("collector") in sheet.text and "120,50" in sheet.text


def test_logout_ends_the_session(ui_client: TestClient) -> None:
    csrf = browser_login(ui_client, "admin")
    assert ui_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert ui_client.get("/", follow_redirects=False).status_code == 303
