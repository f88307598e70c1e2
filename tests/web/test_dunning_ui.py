"""Dunning screen: preview of the next run, scenario and template editing by managers only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import AS_OF, browser_login

from encours.dunning.scenarios import scenario_files


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
