"""The 0603_einvoice_lifecycle migration creates exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from tests.casework.test_casework_migration import _table_of

from encours.einvoicing import models
from encours.schema import Base
from encours.storage.database import get_engine

TABLES = {models.StatusRow.__tablename__, models.StandingRow.__tablename__, models.ReportRow.__tablename__}


def test_schema_matches_models(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if _table_of(d) in TABLES or (
            isinstance(d, tuple) and any(getattr(p, "name", None) in TABLES for p in d[1:]))]  # fmt: skip
    assert diffs == []
