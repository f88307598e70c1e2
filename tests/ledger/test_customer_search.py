"""Customer search ignores case and accents, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from encours.domain.records import Customer
from encours.domain.text_fold import fold
from encours.ingest.parsed import ParsedFile
from encours.ledger.import_service import ImportService, SourceFile
from encours.ledger.queries import search_customers
from encours.storage.database import get_engine, unit_of_work

NAMES = {
    "C1": "Électricité du Sud",
    "C2": "Cœur de Loire SARL",
    "C3": "ÉTABLISSEMENTS MÜLLER",
    "C4": "100% Bio_Frais",
    "C5": "Acme",
}


@pytest.fixture
def url(db_url: str) -> str:
    customers = tuple(Customer(customer_id=cid, name=name) for cid, name in NAMES.items())
    parsed = ParsedFile(file="inline", format="demo", customers=customers, entries=(), allocations=())
    with unit_of_work(get_engine(db_url)) as session:
        ImportService(session).store(
            parsed, SourceFile(Path("inline"), hashlib.sha256(b"s").digest(), "demo")
        )
    return db_url


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("electricite", {"C1"}),
        ("ÉLECTRICITÉ", {"C1"}),
        ("Électr", {"C1"}),
        ("coeur", {"C2"}),
        ("muller", {"C3"}),
        ("établissements", {"C3"}),
        ("100%", {"C4"}),  # % and _ are letters here, not wildcards
        ("o_f", {"C4"}),
        ("0%b", set()),
        ("c5", {"C5"}),
    ],
)
def test_search_ignores_case_and_accents(url: str, typed: str, found: set[str]) -> None:
    with unit_of_work(get_engine(url)) as session:
        result = search_customers(session, typed)
    assert {c.customer.customer_id for c in result.customers} == found


def test_fold_is_the_rule_the_databases_apply() -> None:
    assert fold("Électricité Œuvre Straße") == "electricite oeuvre strasse"
