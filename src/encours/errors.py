"""The base of the errors services raise for a caller to answer with an HTTP status."""

from __future__ import annotations


class StatusError(Exception):
    """Bad input or a refused operation; ``status`` is what the web layer answers with."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
