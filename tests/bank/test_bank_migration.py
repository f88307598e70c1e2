"""0601_bank_journal: the tables the models describe, and an upgraded database fixed.

Before it, a bank import stored every credit as a ledger payment (customer UNIDENTIFIED
when no one was recognised); after it, those are unmatched lines of the bank journal and
the aged balance no longer counts them.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from tests.conftest import query

from encours.bank import models
from encours.domain.bank import SameDayKey, fingerprint
from encours.schema import Base
from encours.storage.database import alembic_config, get_engine

TABLES = {models.BankAccountRow.__tablename__, models.BankTransactionRow.__tablename__}


def test_schema_matches_models(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if TABLES & set(_names(d))]
    assert diffs == []


def _names(diff: Any) -> list[str]:
    item = diff[0] if isinstance(diff, list) else diff
    found = []
    for part in item[1:]:
        table = getattr(part, "table", None)
        found += [str(getattr(part, "name", "")), str(getattr(table, "name", "")), str(part)]
    return found


OLD_LEDGER = [
    "INSERT INTO customers (id, customer_id, name) VALUES (1, 'C1', 'Client'), "
    "(2, 'UNIDENTIFIED', 'Encaissements non identifiés')",
    "INSERT INTO import_batches (id, file_name, sha256, format, imported_at, created, updated, unchanged)"
    " VALUES (1, 'releve.xml', 'x', 'camt053', '2024-01-06 00:00:00+00', 3, 0, 0)",
    "INSERT INTO entries (id, key, customer_pk, kind, reference, date, due_date, amount_cents, currency,"
    " disputed, label, batch_id) VALUES"
    " (1, 'doc:F1', 1, 'invoice', 'F1', '2024-01-01', '2024-01-31', 10000, 'EUR', false, '', NULL),"
    " (2, 'bank:NL77ABNA0574908765:2014-01-05:REF1:1405.31', 2, 'payment', 'REF1', '2014-01-05',"
    "  '2014-01-05', -140531, 'EUR', false, 'ACME SA | interets', 1),"
    " (3, 'bank:NL77ABNA0574908765:2014-01-05:REF1:1405.31#2', 2, 'payment', 'REF1', '2014-01-05',"
    "  '2014-01-05', -140531, 'EUR', false, 'twin', 1),"
    " (4, 'bank:NL77ABNA0574908765:2014-01-06:-:100.00', 1, 'payment', '', '2014-01-06',"
    "  '2014-01-06', -10000, 'EUR', false, 'Client | F1', 1)",
    "INSERT INTO allocations (id, credit_entry_id, debit_entry_id, amount_cents, date, origin) VALUES"
    " (1, 2, 1, 5000, '2014-01-05', 'cash_app'), (2, 4, 1, 5000, '2014-01-06', 'cash_app')",
]


def test_upgrade_moves_bank_payments_out_of_the_ledger(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0502_session_security")
        with engine.begin() as connection:
            for statement in OLD_LEDGER:
                connection.exec_driver_sql(statement)
        command.upgrade(alembic_config(engine), "heads")
    finally:
        engine.dispose()
    # the unidentified payments and their allocation left; the attributed one stays, matched
    assert query(db_url, "SELECT id FROM entries ORDER BY id") == [(1,), (4,)]
    assert query(db_url, "SELECT credit_entry_id FROM allocations") == [(4,)]
    assert query(db_url, "SELECT customer_id FROM customers ORDER BY customer_id") == [("C1",)]
    lines = query(
        db_url,
        "SELECT fingerprint, account, amount_cents, payer_name, remittance, kind, status, customer_id,"
        " payment_entry_id, source_file FROM bank_transactions ORDER BY booking_date, occurrence",
    )
    iban = "NL77ABNA0574908765"
    first = SameDayKey(iban, _day("2014-01-05"), 140531, "EUR")
    assert lines == [
        (fingerprint(first, 1), iban, 140531, "ACME SA", "interets", "customer_credit", "unmatched",
         None, None, "releve.xml"),
        (fingerprint(first, 2), iban, 140531, "", "twin", "customer_credit", "unmatched", None, None,
         "releve.xml"),
        (fingerprint(SameDayKey(iban, _day("2014-01-06"), 10000, "EUR"), 1), iban, 10000, "Client", "F1",
         "customer_credit", "matched", "C1", 4, "releve.xml"),
    ]  # fmt: skip
    assert query(db_url, "SELECT account, currency FROM bank_accounts") == [(iban, "EUR")]


def _day(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)
