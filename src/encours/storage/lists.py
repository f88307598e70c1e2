"""``column IN (values)`` as each database reads it fastest.

On PostgreSQL, ``column = ANY(:values)`` with one array parameter: the statement's text is the
same whatever the number of values, so psycopg converts it once and the server prepares it once,
where an IN list of 50 parameters is re-rendered, re-parsed and re-planned on every page.
SQLite has no arrays: a plain IN list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def one_of(session: Session, column: ColumnElement[Any] | Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (given now)."""
    found = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, found, type_=ARRAY(column.type)))
    return column.in_(found)


def one_of_param(dialect: str, column: ColumnElement[Any] | Any, name: str) -> ColumnElement[bool]:
    """``column`` is one of the list given as parameter ``name`` at execution, for a statement
    built once per dialect."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))
