"""An app of its own per test (fresh demo database and data directory): these tests change
users and settings, which the shared web fixtures must not see."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import Engine
from tests.web.conftest import browser_login, email, load_demo

from encours.demo.generator import DemoLedger
from encours.settings import Settings
from encours.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class AdminApp(NamedTuple):
    url: str
    data_dir: Path
    engine: Engine
    settings: Settings

    def client(self) -> TestClient:
        return TestClient(create_app(self.url, self.settings))


@pytest.fixture
def admin_app(tmp_path: Path, demo_ledger: DemoLedger) -> AdminApp:
    url = f"sqlite:///{tmp_path / 'encours.db'}"
    engine = load_demo(url, demo_ledger)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return AdminApp(url, data_dir, engine, Settings(database_url=url, data_dir=data_dir))


sign_in = browser_login  # through the form; the CSRF token of the new session


@pytest.fixture
def admin_client(admin_app: AdminApp) -> Iterator[tuple[TestClient, str]]:
    with admin_app.client() as client:
        yield client, sign_in(client, "admin")


def user_id(client: TestClient, role: str) -> int:
    page = client.get("/admin/users").text
    found = re.search(rf'href="/admin/users/(\d+)">{re.escape(email(role))}<', page)
    assert found, page
    return int(found.group(1))
