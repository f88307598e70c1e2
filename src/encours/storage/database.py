"""Engine creation, schema migration on first use, and the unit of work.

The unit of work is the only place that commits: services and repositories flush.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import cache, partial
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.orm import Session

from encours.storage.fold_sql import register_on_sqlite

MIGRATIONS = Path(__file__).parent / "migrations"
POOL_SIZE = 10


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    register_on_sqlite(dbapi_connection)  # search folds text as PostgreSQL's SQL does


def alembic_config(engine: Engine, target_metadata: MetaData | None = None) -> Config:
    """Alembic's configuration on ``engine``; ``target_metadata`` (the whole schema, from
    encours.schema) only for comparing models with the database, upgrades need none."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    config.attributes["target_metadata"] = target_metadata
    return config


def _up_to_date(script: ScriptDirectory, current: tuple[str, ...]) -> bool:
    """Every head of the scripts is applied: it is a current head or below one (the domains'
    branches merge, so the database keeps fewer heads than the scripts have)."""
    if not current:
        return False
    applied = {revision.revision for revision in script.iterate_revisions(current, "base") if revision}
    return set(script.get_heads()) <= applied


MIGRATION_LOCK = 0x656E636F75727300  # PostgreSQL advisory lock: one process migrates at a time


@contextlib.contextmanager
def _file_locked(engine: Engine) -> Iterator[None]:
    """SQLite's counterpart of the advisory lock: a lock file beside the database, released
    by the system if the process dies. An in-memory database is this process's alone."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    if not Path(database).parent.is_dir():  # SQLite refuses it; the lock must not create the folder
        yield
        return
    with FileLock(f"{database}.migrate.lock"):
        yield


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to every head (each domain owns a migration branch).

    The check and the upgrade hold a lock (PostgreSQL: an advisory lock; SQLite: a lock file
    beside the database): N web processes and M workers started together on a new version
    or a new file upgrade the database once, the others wait for it and find it done
    (without it, all but one failed on the tables created twice).
    """
    with _file_locked(engine):
        _migrate(engine)


def _migrate(engine: Engine) -> None:
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    with engine.connect() as connection:
        serialised = connection.dialect.name == "postgresql"
        if serialised:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            current = MigrationContext.configure(connection).get_current_heads()
            connection.commit()  # the lock is the session's: it outlives this read's transaction
            if not _up_to_date(script, current):
                command.upgrade(config, "heads")
        finally:
            if serialised:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()


@cache
def get_engine(url: str) -> Engine:
    """One migrated engine per URL for the process (the edges resolve ``ENCOURS_DATABASE_URL``)."""
    # keep open as many connections as the web app admits requests (encours.web.admission)
    # plus its background figures, or each burst opens and closes PostgreSQL backends
    engine = create_engine(url, future=True, pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def session_factory(engine: Engine) -> Callable[[], Session]:
    """New sessions on ``engine``. Not a ``sessionmaker`` per call: each one makes a Session
    subclass with its own event dispatch, ~0.2 ms of CPU per unit of work (several a page)."""
    return partial(Session, engine, expire_on_commit=False)


@contextlib.contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """Commit when the block ends normally, roll back everything on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
