"""Errors are data: every stage returns what it found wrong instead of raising midway."""

from __future__ import annotations

from typing import NamedTuple


class LedgerError(NamedTuple):
    """A problem in an input, pointing at the file, 1-based physical line and field."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" [{self.field}]" if self.field else ""
        return f"{where}{field}: {self.message}"


class DomainError(Exception):
    """A rule of the domain was broken by a caller (bad usage, not bad data)."""
