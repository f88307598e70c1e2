"""Finding stored entries by key, by index or by scan, gives the values a re-import compares."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from encours.demo.generator import DemoLedger
from encours.ingest.parsed import ParsedFile
from encours.ledger import repository
from encours.ledger.import_service import ImportService, SourceFile
from encours.ledger.repository import LedgerRepository
from encours.storage.database import get_engine, unit_of_work


def test_index_lookup_and_scan_agree_with_the_values_an_import_writes(
    demo_ledger: DemoLedger, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = ParsedFile("demo", "demo", demo_ledger.customers, demo_ledger.entries, demo_ledger.allocations)
    source = SourceFile(Path("demo"), hashlib.sha256(b"demo").digest(), "demo")
    engine = get_engine(db_url)
    with unit_of_work(engine) as session:
        ImportService(session).store(parsed, source)
    wanted = demo_ledger.entries[::7]
    keys = {entry.key for entry in wanted} | {"doc:NOT-STORED"}
    with unit_of_work(engine) as session:
        ledger = LedgerRepository(session)
        by_index = ledger.existing_entries(keys)
        monkeypatch.setattr(repository, "KEYED_LOOKUP_MAX", 0)
        by_scan = ledger.existing_entries(keys)
        pks = ledger.customer_pks()
        sqlite = engine.dialect.name == "sqlite"
        written = {e.key: ledger.driver_values(e, pks[e.customer_id], sqlite) for e in wanted}
    assert by_index == by_scan
    assert {key: values for key, (_, values) in by_index.items()} == written
