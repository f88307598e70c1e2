"""Web fixtures: a demo ledger in SQLite with one user per role, and clients signed in as each."""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

with warnings.catch_warnings():  # starlette suggests httpx2; the locked httpx works the same
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.conftest import free_port

from encours.demo.generator import DemoLedger
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService
from encours.web.app import create_app

PASSWORD = "Quartz-ravine-tabouret-1987"
ROLES = ("admin", "credit_manager", "collector", "sales")
AS_OF = "2026-10-31"


def email(role: str) -> str:
    return f"{role}@encours.test"


def encours_command() -> list[str]:
    """The installed ``encours`` script, else the CLI run by this interpreter."""
    script = Path(sys.executable).parent / "encours"
    fallback = [sys.executable, "-c", "from encours.cli.main import run; run()"]
    return [str(script)] if script.exists() else fallback


class Served(NamedTuple):
    base: str
    port: int
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def serving(
    db_url: str, *args: str, env: Mapping[str, str] | None = None, port: int | None = None
) -> Iterator[Served]:
    """`encours serve` as a subprocess on a loopback port (a free one by default), once it answers
    /healthz; terminated when the block ends."""
    port = port or free_port()
    command = [*encours_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", db_url, *args]
    # the server's output goes to a file: a pipe nobody reads fills up and blocks the server
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        command, env=dict(env) if env is not None else None, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"encours serve exited: {log.read().decode(errors='replace')[-4000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("encours serve did not answer")
            time.sleep(0.2)
        yield Served(base, port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def load_demo(url: str, ledger: DemoLedger) -> Engine:
    engine = get_engine(url)
    parsed = ParsedFile(
        file="demo", format="demo", customers=ledger.customers, entries=ledger.entries,
        allocations=ledger.allocations,
    )  # fmt: skip
    with unit_of_work(engine) as session:
        ImportService(session).store(
            parsed, SourceFile(Path("demo"), hashlib.sha256(b"demo").digest(), "demo")
        )
        users = UserService(session)
        for role in ROLES:
            users.create(
                email(role), role, PASSWORD, actor="test", language="en" if role == "sales" else "fr"
            )
    return engine


@pytest.fixture(scope="session")
def web_url(tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'encours.db'}"
    load_demo(url, demo_ledger)
    return url


@pytest.fixture(scope="session")
def app_client(web_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(web_url)) as client:
        yield client


def token_for(client: TestClient, role: str) -> str:
    response = client.post("/api/v1/auth/token", data={"username": email(role), "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture(scope="session")
def tokens(app_client: TestClient) -> dict[str, dict[str, str]]:
    """Authorization headers per role."""
    return {role: {"Authorization": f"Bearer {token_for(app_client, role)}"} for role in ROLES}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def browser_login(client: TestClient, role: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the CSRF token of the new session."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": email(role),
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/customers",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/customers").text)


@pytest.fixture
def ui_client(web_url: str) -> Iterator[TestClient]:
    """A fresh client (own cookie jar) on the shared demo database."""
    with TestClient(create_app(web_url)) as client:
        yield client


@pytest.fixture
def own_url(web_url: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the shared demo database, so what a test records there changes no other test."""
    copy = tmp_path / "own.db"
    with sqlite3.connect(web_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    yield url
    get_engine(url).dispose()
