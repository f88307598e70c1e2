"""Setting the company up, importing and administering users over the API (issue 12: API and UI
do the same things): the settings screens' checks and files, the import screen's job, the users
screens' rules; credit managers and admins only, 422 naming each field, nothing saved then."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.conftest import SmtpServer
from tests.web.admin.conftest import AdminApp
from tests.web.admin.test_audit_import import CUSTOMERS, INVOICES, wait_for
from tests.web.admin.test_settings import COMPANY
from tests.web.conftest import PASSWORD, ROLES, email, token_for

from encours.analytics.kpi import load_thresholds
from encours.dunning.channels.smtp import smtp_config
from encours.dunning.documents import load_company
from encours.dunning.scenarios import load_scenarios
from encours.settings import Settings
from encours.web.stored_settings import get_setting

Headers = dict[str, dict[str, str]]


@pytest.fixture
def api(admin_app: AdminApp) -> Iterator[tuple[TestClient, Headers]]:
    with admin_app.client() as client:
        yield client, {role: {"Authorization": f"Bearer {token_for(client, role)}"} for role in ROLES}


def fields(answer: object) -> set[str]:
    """The fields a 422 names."""
    body = answer.json()  # type: ignore[attr-defined]
    return {e["field"] for e in body["errors"]}


def test_company_details(api: tuple[TestClient, Headers], admin_app: AdminApp) -> None:
    client, headers = api
    manager = headers["credit_manager"]
    assert client.put("/api/v1/settings/company", json=COMPANY).status_code == 401
    assert (
        client.put("/api/v1/settings/company", json=COMPANY, headers=headers["collector"]).status_code == 403
    )
    bad = client.put(
        "/api/v1/settings/company", json={**COMPANY, "siren": "123456789", "iban": "FR76300"}, headers=manager
    )
    assert bad.status_code == 422 and fields(bad) == {"siren", "iban"}
    assert not (admin_app.data_dir / "company.toml").exists()  # nothing saved
    saved = client.put("/api/v1/settings/company", json=COMPANY, headers=manager)
    assert saved.status_code == 200, saved.text
    assert saved.json()["iban"] == "FR76 3000 6000 0112 3456 7890 189"
    company = load_company(admin_app.data_dir)  # what the CLI's dunning reads
    assert company.name == "Tuiles Dupont SARL" and company.address == (
        "4 rue des Lilas",
        "69003 Lyon",
        "France",
    )
    renamed = client.put("/api/v1/settings/company", json={"city": "Villeurbanne"}, headers=manager)
    assert renamed.status_code == 200  # only the fields given change
    assert load_company(admin_app.data_dir).name == "Tuiles Dupont SARL"
    assert client.get("/api/v1/settings/company", headers=manager).json()["city"] == "Villeurbanne"


def test_kpi_thresholds(api: tuple[TestClient, Headers], admin_app: AdminApp) -> None:
    client, headers = api
    manager = headers["credit_manager"]
    assert client.get("/api/v1/settings/thresholds", headers=headers["sales"]).status_code == 403
    levels = client.get("/api/v1/settings/thresholds", headers=manager).json()
    assert levels["dso_countback"]["warning"] == "60"
    inverted = client.put(
        "/api/v1/settings/thresholds",
        json={"dso_countback": {"warning": "60", "critical": "50"}},
        headers=manager,
    )
    assert inverted.status_code == 422 and fields(inverted) == {"dso_countback"}
    saved = client.put(
        "/api/v1/settings/thresholds",
        json={"dso_countback": {"warning": "45", "critical": "90"}},
        headers=manager,
    )
    assert saved.status_code == 200 and saved.json()["dso_countback"]["warning"] == "45"
    found = {t.kpi: t for t in load_thresholds(admin_app.data_dir)}
    assert found["dso_countback"].warning == 45 and found["cei"].higher_is_worse is False


def test_smtp_and_a_real_test_email(
    api: tuple[TestClient, Headers], admin_app: AdminApp, smtp_server: SmtpServer
) -> None:
    client, headers = api
    manager = headers["credit_manager"]
    port = smtp_server.url.rsplit(":", 1)[1]
    server = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "relances@tuiles-dupont.fr"}
    assert client.put("/api/v1/settings/smtp", json=server, headers=headers["collector"]).status_code == 403
    bad = client.put("/api/v1/settings/smtp", json={**server, "port": "0", "host": "a b"}, headers=manager)
    assert bad.status_code == 422 and fields(bad) == {"port", "host"}
    no_one = client.post("/api/v1/settings/smtp/test", json={**server, "recipient": "moi"}, headers=manager)
    assert no_one.status_code == 422 and fields(no_one) == {"recipient"}
    sent = client.post(
        "/api/v1/settings/smtp/test", json={**server, "recipient": "moi@tuiles-dupont.fr"}, headers=manager
    )
    assert sent.status_code == 200 and sent.json()["ok"] is True, sent.text
    [message] = smtp_server.collector.received
    assert message.recipients == ("moi@tuiles-dupont.fr",)
    assert message.message["Subject"] == "Encours : e-mail d'essai"  # the manager reads French
    assert client.put("/api/v1/settings/smtp", json=server, headers=manager).status_code == 204
    config = smtp_config(Settings(data_dir=admin_app.data_dir, database_url=admin_app.url))
    assert config is not None and (config.host, config.port) == ("127.0.0.1", int(port))


def test_payment_link_and_rate_tables(api: tuple[TestClient, Headers], admin_app: AdminApp) -> None:
    client, headers = api
    manager = headers["credit_manager"]
    link = "https://pay.example/?ref={invoice_id}&amount={amount}"
    assert client.put("/api/v1/settings/payment-link", json={"payment_link": link}).status_code == 401
    bad = client.put(
        "/api/v1/settings/payment-link", json={"payment_link": "https://x/{nope}"}, headers=manager
    )
    assert bad.status_code == 422 and fields(bad) == {"payment_link"}
    assert client.put(
        "/api/v1/settings/payment-link", json={"payment_link": link}, headers=manager
    ).json() == {"payment_link": link}
    assert get_setting(admin_app.engine, "payment_link") == link
    assert "date,currency,per_eur" in client.get("/api/v1/settings/rates/fx", headers=manager).json()["text"]
    wrong = client.put(
        "/api/v1/settings/rates/fx", json={"text": "date,currency,per_eur\nhier,USD,1.1\n"}, headers=manager
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["line"] == 2
    assert not (admin_app.data_dir / "fx_rates.csv").exists()
    good = "date,currency,per_eur\n2026-01-02,USD,1.25\n"
    assert client.put("/api/v1/settings/rates/fx", json={"text": good}, headers=manager).status_code == 204
    assert (admin_app.data_dir / "fx_rates.csv").read_text() == good
    assert client.get("/api/v1/settings/rates/nope", headers=manager).status_code == 404


def test_scenarios_and_templates(api: tuple[TestClient, Headers], admin_app: AdminApp) -> None:
    client, headers = api
    manager = headers["credit_manager"]
    scenarios = client.get("/api/v1/settings/scenarios", headers=manager).json()
    name, shipped = next(iter(scenarios.items()))
    assert tomllib.loads(shipped["text"])  # the TOML text dunning reads
    url = f"/api/v1/settings/scenarios/{name}"
    assert client.put(url, json={"text": shipped["text"]}, headers=headers["collector"]).status_code == 403
    broken = client.put(url, json={"text": "steps = 'none'"}, headers=manager)
    assert broken.status_code == 422 and broken.json()["errors"]
    assert not (admin_app.data_dir / "scenarios" / f"{name}.toml").exists()
    edited = shipped["text"] + "\n# edited over the API\n"
    assert client.put(url, json={"text": edited}, headers=manager).status_code == 204
    assert (admin_app.data_dir / "scenarios" / f"{name}.toml").read_text() == edited
    assert not load_scenarios(data_dir=admin_app.data_dir).errors
    assert (
        client.put("/api/v1/settings/scenarios/nope", json={"text": ""}, headers=manager).status_code == 404
    )

    template = "fr/email/reminder.txt"
    assert template in client.get("/api/v1/settings/templates", headers=manager).json()
    text = client.get(f"/api/v1/settings/templates/{template}", headers=manager).json()["text"]
    refused = client.put(f"/api/v1/settings/templates/{template}", json={"text": "{{ oops"}, headers=manager)
    assert refused.status_code == 422 and not (admin_app.data_dir / "templates" / template).exists()
    assert (
        client.put(
            f"/api/v1/settings/templates/{template}", json={"text": text + "\n-- \n"}, headers=manager
        ).status_code
        == 204
    )
    assert (admin_app.data_dir / "templates" / template).read_text().endswith("-- \n")
    assert client.get("/api/v1/settings/templates/../secret", headers=manager).status_code == 404


def test_import_files_as_a_job(api: tuple[TestClient, Headers], admin_app: AdminApp) -> None:
    client, headers = api
    files = [("files", ("invoices.csv", INVOICES.encode())), ("files", ("clients.csv", CUSTOMERS.encode()))]
    assert client.post("/api/v1/imports", files=files).status_code == 401
    assert client.post("/api/v1/imports", files=files, headers=headers["collector"]).status_code == 403
    empty = client.post("/api/v1/imports", files=[("files", ("", b""))], headers=headers["credit_manager"])
    assert empty.status_code == 422
    queued = client.post("/api/v1/imports", files=files, headers=headers["credit_manager"])
    assert queued.status_code == 202 and queued.json()["kind"] == "import_file", queued.text
    job = wait_for(admin_app, queued.json()["job_id"])
    statuses = {f.get("file_name", f["file"]): f["status"] for f in job.result["files"]}
    assert statuses == {"clients.csv": "imported", "invoices.csv": "rejected"}  # as from the screen
    shown = client.get(f"/api/v1/jobs/{job.job_id}", headers=headers["credit_manager"]).json()
    rejected = next(f for f in shown["result"]["files"] if f["status"] == "rejected")
    assert [(e["line"], e["field"]) for e in rejected["errors"]] == [(3, "amount")]


def test_reset_link_own_password_and_language(api: tuple[TestClient, Headers]) -> None:
    client, headers = api
    users = {u["email"]: u["id"] for u in client.get("/api/v1/users", headers=headers["admin"]).json()}
    sales = users[email("sales")]
    assert client.post(f"/api/v1/users/{sales}/reset", headers=headers["credit_manager"]).status_code == 403
    assert client.post("/api/v1/users/0/reset", headers=headers["admin"]).status_code == 422
    reset = client.post(f"/api/v1/users/{sales}/reset", headers=headers["admin"])
    assert reset.status_code == 200 and "/reset/" in reset.json()["reset_link"]
    assert client.get("/api/v1/me", headers=headers["sales"]).status_code == 401  # their tokens ended
    page = client.get(reset.json()["reset_link"].split("testserver", 1)[1])
    assert page.status_code == 200  # the link opens the form to choose a password

    collector = headers["collector"]
    new = "Lanterne-verger-3310-ocre"
    weak = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "court"},
                       headers=collector)  # fmt: skip
    assert weak.status_code == 400 and weak.json()["field"] == "password"  # the users service's refusal
    wrong = client.post("/api/v1/me/password", json={"current_password": "nope", "new_password": new},
                        headers=collector)  # fmt: skip
    assert wrong.status_code in (401, 422) and wrong.json()["field"] == "current_password"
    changed = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": new},
                          headers=collector)  # fmt: skip
    assert changed.status_code == 204
    assert client.get("/api/v1/me", headers=collector).status_code == 401  # every token ended
    token = client.post("/api/v1/auth/token", data={"username": email("collector"), "password": new}).json()
    mine = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.patch("/api/v1/me", json={"language": "en"}, headers=mine).json()["language"] == "en"
    assert client.patch("/api/v1/me", json={"language": "de"}, headers=mine).status_code == 400
    assert client.patch("/api/v1/me", json={"language": "x" * 9}, headers=mine).status_code == 422
    assert client.patch("/api/v1/me", json={"language": "en"}).status_code == 401
