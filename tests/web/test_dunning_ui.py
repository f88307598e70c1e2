"""Dunning screen: preview of the next run, scenario and template editing by managers only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.web.conftest import AS_OF, browser_login, load_demo

from encours.demo.generator import DemoLedger
from encours.dunning.scenarios import scenario_files
from encours.dunning.service import load_config, preview, run
from encours.ledger.models import CustomerRow
from encours.settings import get_settings
from encours.storage.database import unit_of_work
from encours.web.app import create_app


@pytest.fixture(autouse=True)  # before ui_client: the app reads its settings when it is made
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(tmp_path))
    return tmp_path


def test_preview_lists_planned_actions_without_writing(ui_client: TestClient, data_dir: Path) -> None:
    browser_login(ui_client, "collector")
    page = ui_client.get("/dunning", params={"as_of": AS_OF, "preview": "true"})
    assert page.status_code == 200
    assert 'id="dunning-preview"' in page.text and "/customers/C0" in page.text
    again = ui_client.get("/dunning", params={"as_of": AS_OF})
    assert 'id="dunning-preview"' not in again.text


def test_scenario_edits_are_validated_and_need_the_manage_right(
    ui_client: TestClient, data_dir: Path
) -> None:
    csrf = browser_login(ui_client, "collector")
    page = ui_client.get("/dunning")
    name = page.text.split("/dunning/scenarios/")[1].split('"')[0]
    assert ui_client.get(f"/dunning/scenarios/{name}").status_code == 200
    assert (
        ui_client.post(f"/dunning/scenarios/{name}", data={"text": "x", "csrf_token": csrf}).status_code
        == 403
    )
    ui_client.cookies.clear()
    csrf = browser_login(ui_client, "credit_manager")
    broken = ui_client.post(f"/dunning/scenarios/{name}", data={"text": "[[[ not toml", "csrf_token": csrf})
    assert broken.status_code == 422 and not (data_dir / "scenarios" / f"{name}.toml").exists()
    valid = scenario_files()[name][1]
    saved = ui_client.post(
        f"/dunning/scenarios/{name}", data={"text": valid, "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert (data_dir / "scenarios" / f"{name}.toml").read_text(encoding="utf-8") == valid
    template = "fr/email/reminder.txt"
    original = ui_client.get(f"/dunning/templates/{template}")
    assert original.status_code == 200
    bad = ui_client.post(f"/dunning/templates/{template}", data={"text": "{% if %}", "csrf_token": csrf})
    assert bad.status_code == 422
    good = ui_client.post(
        f"/dunning/templates/{template}",
        data={"text": "Objet : relance\n\nBonjour {{ customer.name }}\n", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert (data_dir / "templates" / template).read_text(encoding="utf-8").startswith("Objet : relance")
    escape = ui_client.post("/dunning/templates/../../etc/passwd", data={"text": "x", "csrf_token": csrf})
    assert escape.status_code == 404


PAYLOADS = (
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'].system('touch MARKER') }}",
    "{{ customer.registry }}",
    "{% set x = [] %}{{ x.append(1) }}",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_malicious_template_is_refused_at_save_and_runs_nothing(
    ui_client: TestClient, data_dir: Path, tmp_path: Path, payload: str
) -> None:
    marker = tmp_path / "pwned"
    text = "Subject: relance\n\n" + payload.replace("MARKER", str(marker)) + "\n"
    csrf = browser_login(ui_client, "credit_manager")
    template = "fr/email/reminder.txt"
    page = ui_client.post(f"/dunning/templates/{template}", data={"text": text, "csrf_token": csrf})
    assert page.status_code == 422
    assert "refusé par le bac à sable des modèles" in page.text and "fr/email/reminder.txt:3" in page.text
    assert "Subject: relance" in page.text  # what was typed is kept on the page
    assert not (data_dir / "templates" / template).exists()
    assert not marker.exists()  # nothing ran


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Subject: x\n\n{% if %}\n", "erreur de syntaxe"),  # the credit manager reads French
        ("Subject: x\n\n{{ customer_name }}\n", "« customer_name » n'est pas défini"),
        ("Subject: x\n\n{{ section.total }}\n", "« section » n'est pas défini"),
        ("Subject: x\n\n{{ as_of|nosuchfilter }}\n", "pas de filtre nommé « nosuchfilter »"),
    ],
)
def test_a_template_that_does_not_render_is_refused_at_save(
    ui_client: TestClient, data_dir: Path, text: str, error: str
) -> None:
    csrf = browser_login(ui_client, "credit_manager")
    page = ui_client.post("/dunning/templates/en/email/reminder.txt", data={"text": text, "csrf_token": csrf})
    assert page.status_code == 422 and error in page.text.replace("&#39;", "'")
    assert not (data_dir / "templates" / "en" / "email" / "reminder.txt").exists()


def test_an_edited_base_is_checked_through_the_templates_that_extend_it(
    ui_client: TestClient, data_dir: Path
) -> None:
    csrf = browser_login(ui_client, "credit_manager")
    base = "fr/letters/base.html"
    broken = "<html>{{ invoices.nope }}{% block content %}{% endblock %}</html>"
    page = ui_client.post(f"/dunning/templates/{base}", data={"text": broken, "csrf_token": csrf})
    assert page.status_code == 422 and not (data_dir / "templates" / base).exists()


def test_the_dashboard_shows_failed_deliveries(
    tmp_path: Path, data_dir: Path, demo_ledger: DemoLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENCOURS_SMTP_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'failed.db'}"
    engine = load_demo(url, demo_ledger)
    config = load_config(get_settings())
    due = {a.customer_id for a in preview(engine, config, dt.date.fromisoformat(AS_OF)).actions}
    customer = sorted(due)[0]
    with unit_of_work(engine) as session:
        session.execute(update(CustomerRow).where(CustomerRow.customer_id == customer).values(email=None))
    result = run(engine, config, dt.date.fromisoformat(AS_OF), None)
    assert [p.customer_id for p in result.delivery.problems] == [customer]
    with TestClient(create_app(url)) as client:
        browser_login(client, "collector")
        page = client.get("/", params={"as_of": AS_OF})
        assert page.status_code == 200
        assert 'id="failed-deliveries"' in page.text and f"/customers/{customer}" in page.text
        assert "pas d&#39;adresse e-mail" in page.text  # the collector works in French
        assert "no e-mail address" not in page.text
        assert 'id="failed-deliveries-count">1<' in page.text
        dunning_page = client.get("/dunning")
        assert "no e-mail address" in dunning_page.text
