"""The 0606_workspace migration creates exactly the workspace tables the models describe, on both
backends (notifications, their e-mail preference, saved views)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from encours.casework.workspace_models import NotificationPreferenceRow, NotificationRow, SavedViewRow
from encours.schema import Base
from encours.storage.database import get_engine

MODELS = (NotificationRow, NotificationPreferenceRow, SavedViewRow)
TABLES = {model.__tablename__ for model in MODELS}


def concerns(diff: object) -> bool:
    """Whether an autogenerate diff entry names one of TABLES (a table, or a column/index of one)."""
    return any(name in repr(diff) for name in TABLES)


def test_workspace_schema_matches_models(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if concerns(d)]
        tables = set(context.dialect.get_table_names(connection))
    assert tables >= TABLES
    assert diffs == []
