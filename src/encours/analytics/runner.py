"""Running the portable analytics SQL on a SQLAlchemy connection or a DuckDB connection."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session


class SqlRunner(Protocol):
    def rows(self, sql: str, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]: ...


class AlchemyRunner:
    """The system of record: SQLite by default, PostgreSQL in deployments."""

    def __init__(self, connection: Connection | Session) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        return [tuple(row) for row in self.connection.execute(text(sql), dict(params))]


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class DuckDbRunner:
    """A columnar engine over tables named like the ledger's (in memory, Parquet or a database)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any]) -> Sequence[tuple[Any, ...]]:
        names = _NAMED.findall(sql)
        positional = _NAMED.sub("?", sql)
        rows: list[tuple[Any, ...]] = self.connection.execute(
            positional, [params[n] for n in names]
        ).fetchall()
        return rows
