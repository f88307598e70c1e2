"""Users from the browser, the API and the CLI: roles, deactivation, passwords, reset links."""

from __future__ import annotations

import re

from tests.conftest import invoke
from tests.web.admin.conftest import AdminApp, sign_in, user_id
from tests.web.conftest import PASSWORD, csrf_of, email
from typer.testing import CliRunner

from encours.audit.service import AuditFilter, search
from encours.storage.database import unit_of_work
from encours.users.service import UserService

NEW_PASSWORD = "Lanterne-figuier-orage-2291"


def _save(client, csrf: str, uid: int, **fields: str) -> object:  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf, "role": "collector", "language": "fr", "active": "true", **fields}
    return client.post(
        f"/admin/users/{uid}", data={k: v for k, v in data.items() if v}, follow_redirects=False
    )


def test_deactivating_a_user_ends_their_session(admin_app: AdminApp) -> None:
    with admin_app.client() as admin, admin_app.client() as collector:
        csrf = sign_in(admin, "admin")
        sign_in(collector, "collector")
        assert collector.get("/worklist", follow_redirects=False).status_code == 200
        uid = user_id(admin, "collector")
        assert _save(admin, csrf, uid, active="").status_code == 303  # unticked
        assert collector.get("/worklist", follow_redirects=False).status_code == 303  # back to login
        assert "désactivé" in admin.get("/admin/users").text
        with unit_of_work(admin_app.engine) as session:
            assert UserService(session).by_email(email("collector")).active is False  # type: ignore[union-attr]


def test_a_new_role_takes_effect_and_the_last_admin_stays(admin_app: AdminApp) -> None:
    with admin_app.client() as admin:
        csrf = sign_in(admin, "admin")
        sales = user_id(admin, "sales")
        assert _save(admin, csrf, sales, role="credit_manager").status_code == 303
        with unit_of_work(admin_app.engine) as session:
            assert UserService(session).by_email(email("sales")).role == "credit_manager"  # type: ignore[union-attr]
        refused = _save(admin, csrf, user_id(admin, "admin"), role="collector")
        assert refused.status_code == 409
        assert "dernier administrateur" in refused.text
        with unit_of_work(admin_app.engine) as session:
            assert UserService(session).by_email(email("admin")).role == "admin"  # type: ignore[union-attr]


def test_own_password_needs_the_current_one_and_the_policy(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "collector")
        wrong = client.post(
            "/account/password",
            data={"csrf_token": csrf, "current_password": "not-it-at-all-1", "new_password": NEW_PASSWORD},
        )
        assert wrong.status_code == 401 and "actuel est incorrect" in wrong.text
        weak = client.post(
            "/account/password",
            data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": "password1234"},
        )
        assert weak.status_code == 400 and "trop facile à deviner" in weak.text  # zxcvbn's advice
        done = client.post(
            "/account/password",
            data={"csrf_token": csrf, "current_password": PASSWORD, "new_password": NEW_PASSWORD},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert client.get("/worklist", follow_redirects=False).status_code == 303  # signed out
        sign_in(client, "collector", NEW_PASSWORD)


def test_a_reset_link_works_once_and_ends_sessions(admin_app: AdminApp) -> None:
    with admin_app.client() as admin, admin_app.client() as sales, admin_app.client() as anonymous:
        csrf = sign_in(admin, "admin")
        sign_in(sales, "sales")
        page = admin.post(f"/admin/users/{user_id(admin, 'sales')}/reset", data={"csrf_token": csrf})
        link = re.search(r'<code id="reset-link">http://[^/]+(/reset/[^<]+)</code>', page.text)
        assert link, page.text
        assert sales.get("/worklist", follow_redirects=False).status_code == 303  # session ended
        form = anonymous.get(link.group(1))
        assert form.status_code == 200 and "current_password" not in form.text
        token = csrf_of(form.text)
        done = anonymous.post(
            link.group(1), data={"csrf_token": token, "new_password": NEW_PASSWORD}, follow_redirects=False
        )
        assert done.status_code == 303
        again = anonymous.get(link.group(1))
        assert again.status_code == 410 and "déjà servi" in again.text and "new_password" not in again.text
        sign_in(anonymous, "sales", NEW_PASSWORD)
        tampered = anonymous.get(link.group(1)[:-2] + "xx")
        assert tampered.status_code == 404


def test_api_patch_user_and_logout(admin_app: AdminApp) -> None:
    with admin_app.client() as client:

        def token(role: str, password: str = PASSWORD) -> dict[str, str]:
            answer = client.post("/api/v1/auth/token", data={"username": email(role), "password": password})
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        admin, collector = token("admin"), token("collector")
        uid = next(
            u["id"] for u in client.get("/api/v1/users", headers=admin).json() if u["role"] == "collector"
        )
        assert (
            client.patch(f"/api/v1/users/{uid}", json={"role": "sales"}, headers=collector).status_code == 403
        )
        changed = client.patch(
            f"/api/v1/users/{uid}", json={"role": "sales", "language": "en"}, headers=admin
        )
        assert changed.status_code == 200 and changed.json()["role"] == "sales"
        weak = client.patch(f"/api/v1/users/{uid}", json={"password": "aaaaaaaaaaaa"}, headers=admin)
        assert weak.status_code == 400
        assert client.patch("/api/v1/users/999999", json={"active": False}, headers=admin).status_code == 404
        assert client.post("/api/v1/auth/logout", headers=collector).status_code == 200
        assert client.get("/api/v1/me", headers=collector).status_code == 401  # that token is revoked
        assert client.get("/api/v1/me", headers=admin).status_code == 200


def test_cli_user_role_deactivate_password(admin_app: AdminApp) -> None:
    runner = CliRunner()
    code, out, _ = invoke(runner, "user", "role", email("sales"), "collector", "--db", admin_app.url)
    assert code == 0 and "collector" in out
    code, _, err = invoke(runner, "user", "role", "nobody@example.com", "sales", "--db", admin_app.url)
    assert code == 2 and "no user" in err
    result = runner.invoke(
        __import__("encours.cli.main", fromlist=["app"]).app,
        ["user", "password", email("sales"), "--password-stdin", "--db", admin_app.url],
        input="tiny\n",
    )
    assert result.exit_code == 2
    result = runner.invoke(
        __import__("encours.cli.main", fromlist=["app"]).app,
        ["user", "password", email("sales"), "--password-stdin", "--db", admin_app.url],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    code, out, _ = invoke(runner, "user", "deactivate", email("sales"), "--db", admin_app.url)
    assert code == 0
    with unit_of_work(admin_app.engine) as session:
        users = UserService(session)
        sales = users.by_email(email("sales"))
        assert sales is not None and not sales.active and sales.role == "collector"
        assert users.authenticate(email("admin"), PASSWORD, "127.0.0.1")
        actions = [e.action for e in search(session, AuditFilter(actor="cli")).events]
    assert actions.count("user.updated") == 2 and "user.password_changed" in actions
