"""The 0200_casework migration creates exactly the tables the models describe, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from encours.casework import models
from encours.schema import Base
from encours.storage.database import get_engine

TABLES = {
    table.name
    for table in Base.metadata.sorted_tables
    if any(getattr(models, name).__table__ is table for name in dir(models) if name.endswith("Row"))
}


def _table_of(diff: Any) -> str | None:
    """The table a diff entry concerns (entries are tuples, or lists of tuples for columns)."""
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else None
        table = getattr(part, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if name in TABLES:
            return str(name)
        if isinstance(part, str) and part in TABLES:
            return part
    return None


def test_schema_matches_models(db_url: str) -> None:
    assert len(TABLES) == 12
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in TABLES]
    assert diffs == []
