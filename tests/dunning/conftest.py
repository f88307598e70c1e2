"""A stored demo ledger and the environment a run reads (the SMTP server: tests/conftest.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from tests.conftest import SmtpServer

from encours.demo.generator import DemoLedger
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work


def store_ledger(url: str, ledger: DemoLedger) -> None:
    parsed = ParsedFile(
        file="demo(tests)",
        format="demo",
        customers=ledger.customers,
        entries=ledger.entries,
        allocations=ledger.allocations,
    )
    source = SourceFile(Path(parsed.file), hashlib.sha256(b"tests").digest(), "demo")
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(parsed, source)


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger) -> Path:
    """The 40-customer demo ledger stored once; tests copy the file."""
    path = tmp_path_factory.mktemp("dunning-template") / "demo.db"
    url = f"sqlite:///{path}"
    store_ledger(url, demo_ledger)
    get_engine(url).dispose()  # the last connection to close checkpoints the WAL into the file
    get_engine.cache_clear()
    return path


@pytest.fixture
def demo_db(tmp_path: Path, demo_db_file: Path) -> str:
    target = tmp_path / "encours.db"
    shutil.copy(demo_db_file, target)
    return f"sqlite:///{target}"


@pytest.fixture
def dunning_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_server: SmtpServer) -> Path:
    """Data directory, SMTP server and sender for runs in this process; returns the data dir."""
    data = tmp_path / "encours-data"
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(data))
    monkeypatch.setenv("ENCOURS_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("ENCOURS_MAIL_FROM", "relances@encours.test")
    monkeypatch.delenv("ENCOURS_RATES_FILE", raising=False)
    monkeypatch.delenv("ENCOURS_FAULT_AFTER_SENDS", raising=False)
    return data
