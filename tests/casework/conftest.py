"""A small ledger written inline, stored through the real import pipeline, on both backends."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.conftest import fresh_postgres_database

from encours.domain.records import Allocation, Customer, Entry, EntryKind
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work

D = dt.date


def invoice(
    number: str, customer: str, issued: dt.date, amount: str, *, due_days: int = 30, disputed: bool = False
) -> Entry:
    return Entry(
        f"doc:{number}",
        customer,
        EntryKind.INVOICE,
        number,
        issued,
        issued + dt.timedelta(days=due_days),
        Decimal(amount),
        disputed=disputed,
    )


def payment(number: str, customer: str, day: dt.date, amount: str) -> Entry:
    return Entry(f"pay:{number}", customer, EntryKind.PAYMENT, number, day, day, -Decimal(amount))


CUSTOMERS = (
    Customer("ACME", "Acme SA", siren="732829320", credit_limit=Decimal("10000.00"), sales_rep="rita"),
    Customer("ACME2", "Acme Services", siren="732829320"),
    Customer("BETA", "Béta SARL", siren="552100554", credit_limit=Decimal("1000.00")),
    Customer("GAMMA", "Gamma", credit_limit=Decimal("5000.00")),
)
ENTRIES = (
    invoice("A1", "ACME", D(2026, 1, 1), "1200.00"),
    invoice("A2", "ACME", D(2026, 2, 1), "800.00"),
    invoice("A3", "ACME", D(2026, 2, 15), "3000.00"),
    payment("PA1", "ACME", D(2026, 2, 20), "1200.00"),
    invoice("B1", "ACME2", D(2026, 1, 10), "5000.00"),
    invoice("C1", "BETA", D(2026, 1, 5), "1500.00"),
    invoice("C2", "BETA", D(2026, 1, 20), "600.00", disputed=True),
    invoice("D1", "GAMMA", D(2026, 1, 15), "900.00"),
    payment("PD1", "GAMMA", D(2026, 3, 10), "300.00"),
)
ALLOCATIONS = (Allocation("pay:PA1", "doc:A1", Decimal("1200.00"), D(2026, 2, 20)),)


def store(
    url: str,
    entries: Sequence[Entry],
    allocations: Sequence[Allocation] = (),
    customers: Sequence[Customer] = (),
    name: str = "inline",
) -> None:
    """Store records as an import would (idempotent by key)."""
    parsed = ParsedFile(name, "test", tuple(customers), tuple(entries), tuple(allocations))
    digest = hashlib.sha256(repr(parsed).encode()).digest()
    with unit_of_work(get_engine(url)) as session:
        ImportService(session).store(parsed, SourceFile(Path(name), digest, "test"))


@pytest.fixture(scope="session")
def pg_ledger_template() -> Iterator[str]:
    """The inline ledger stored once in PostgreSQL; each test gets a copy (CREATE ... TEMPLATE)."""
    with fresh_postgres_database() as url:
        store(url, ENTRIES, ALLOCATIONS, CUSTOMERS)
        get_engine(url).dispose()
        yield url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The inline ledger in a fresh database, SQLite then PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_ledger")
        return
    with fresh_postgres_database(request.getfixturevalue("pg_ledger_template")) as url:
        yield url
        get_engine(url).dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inline ledger stored once in SQLite; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("casework") / "template.db"
    url = f"sqlite:///{path}"
    store(url, ENTRIES, ALLOCATIONS, CUSTOMERS)
    get_engine(url).dispose()
    return path


@pytest.fixture
def sqlite_ledger(sqlite_template: Path, tmp_path: Path) -> str:
    """The inline ledger in a fresh SQLite file."""
    path = tmp_path / "encours.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def session(ledger_url: str) -> Iterator[Session]:
    """A unit of work over the ledger; committed at the end of the test."""
    with unit_of_work(get_engine(ledger_url)) as session:
        yield session


@pytest.fixture
def sqlite_session(sqlite_ledger: str) -> Iterator[Session]:
    """Same ledger on SQLite only, for checks that do not depend on the backend."""
    with unit_of_work(get_engine(sqlite_ledger)) as session:
        yield session
