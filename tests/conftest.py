"""Shared fixtures: databases (SQLite and a real PostgreSQL), the demo ledger, the CLI, a real
SMTP server on loopback."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import os
import socket
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from encours.cli.main import app
from encours.demo.generator import DemoLedger, generate
from encours.jobs import dispatch

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLES = SHARED / "samples"
DEMO_UNTIL = dt.date(2026, 10, 31)


def postgres_admin_url() -> str | None:
    return os.environ.get("ENCOURS_TEST_POSTGRES_URL")


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` read through a throwaway engine, as another program would see them."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """A new database on the test server (a copy of ``template``), dropped on exit.

    Skips without a server, except in CI, which must have one.
    """
    admin = postgres_admin_url()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail("ENCOURS_TEST_POSTGRES_URL is not set: scripts/test.sh starts PostgreSQL")
        pytest.skip("no PostgreSQL server (set ENCOURS_TEST_POSTGRES_URL)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'encours.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server; CI must have one, locally it may skip."""
    from encours.storage.database import get_engine

    with fresh_postgres_database() as url:
        yield url
        get_engine.cache_clear()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on both backends: they must behave identically."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(scope="session")
def demo_ledger() -> DemoLedger:
    return generate(seed=7, customers=40, until=DEMO_UNTIL)


@pytest.fixture(autouse=True)
def jobs_dispatch_defaults() -> Iterator[None]:
    """A CLI command configures this process's job dispatch (``encours import`` leaves its
    figures job queued); the next test in the same process starts from the defaults."""
    yield
    dispatch.reset()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# a real SMTP server on loopback -----------------------------------------------------------
class Received(NamedTuple):
    recipients: tuple[str, ...]
    message: Message


class Collector:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self.received.append(
            Received(tuple(envelope.rcpt_tos), email.message_from_bytes(content, policy=email.policy.default))
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer(NamedTuple):
    collector: Collector
    url: str

    @property
    def received(self) -> list[Received]:
        return self.collector.received


@contextlib.contextmanager
def smtp_serving(handler: object, port: int | None = None) -> Iterator[str]:
    """A real SMTP server (aiosmtpd) on loopback answering with ``handler``; yields its URL."""
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    collector = Collector()
    with smtp_serving(collector) as url:
        yield SmtpServer(collector, url)
