"""Foresight fixtures: small ledgers loaded once per session, and a fast model configuration."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from encours.demo.generator import DemoLedger
from encours.foresight.model import TrainingConfig
from encours.foresight.service import Ledger, read_ledger
from encours.foresight.synthetic import generate_ar
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work

FAST = TrainingConfig(rounds=60, learning_rate=0.1)
AR_CUTOFF = dt.date(2013, 7, 1)


def load_ledger(url: str, ledger: DemoLedger, name: str = "test-ledger") -> None:
    parsed = ParsedFile(
        file=name, format="demo", customers=ledger.customers, entries=ledger.entries,
        allocations=ledger.allocations,
    )  # fmt: skip
    source = SourceFile(Path(name), hashlib.sha256(name.encode()).digest(), "demo")
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(parsed, source)


def read(url: str) -> Ledger:
    with Session(get_engine(url)) as session:
        return read_ledger(session)


@pytest.fixture(scope="session")
def ar_ledger() -> DemoLedger:
    """IBM-like ledger with clear structure: 30 customers, ~700 invoices over 2012–2013, net 30."""
    return generate_ar(seed=3, customers=30, invoices=700, spread=(1.0, 4.0))


@pytest.fixture(scope="session")
def ar_db_file(ar_ledger: DemoLedger, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("foresight") / "ar.db"
    url = f"sqlite:///{path}"
    load_ledger(url, ar_ledger)
    with get_engine(url).connect() as connection:  # fold the WAL into the file before copies
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def ar_url(ar_db_file: Path, tmp_path: Path) -> str:
    """A private copy of the AR ledger database, free to change."""
    copy = tmp_path / "ar.db"
    shutil.copy(ar_db_file, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="session")
def ar(ar_db_file: Path) -> Ledger:
    return read(f"sqlite:///{ar_db_file}")
