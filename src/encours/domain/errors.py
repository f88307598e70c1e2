"""Errors: bad lines are data (``LedgerError``); a refused operation raises one ``EncoursError``.

The root lives in the pure domain so every layer can raise it. Each class carries the HTTP
status the web app answers with; the web app and the CLI each map the root in one place
(HTML or JSON; a message on stderr and exit code 2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Self

from encours.domain import refusals


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


class EncoursError(Exception):
    """An operation refused with a message for the user, naming the input ``field`` at fault.

    ``status`` is the HTTP answer; subclasses say which kind of refusal it is. The root is
    a failure the user cannot fix by changing the request (500), as in polar's PolarError.
    ``code`` and ``params`` name the sentence of ``domain.refusals`` it says (raise with
    :meth:`because`), so a page says it in its reader's language; ``message`` is the English.
    """

    status = 500

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, refusals.Value] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.params: dict[str, refusals.Value] = dict(params or {})

    @classmethod
    def because(cls, code: str, *, field: str | None = None, **params: refusals.Value) -> Self:
        """The refusal ``code`` of ``domain.refusals`` with its values (the English is its message)."""
        return cls(refusals.sentence(code, params, "en"), field=field, code=code, params=params)

    @classmethod
    def retold(cls, refusal: EncoursError, *, field: str | None = None) -> Self:
        """``refusal`` as this kind of refusal, naming ``field`` (a parser's refusal of a form field)."""
        return cls(refusal.message, field=field, code=refusal.code, params=refusal.params)

    def said_in(self, language: str) -> str | None:
        """The refusal in ``language``; None when it has no code (then only the English exists)."""
        return refusals.sentence(self.code, self.params, language) if self.code else None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class BadRequest(EncoursError):
    """The request itself is wrong (an unknown option value, a malformed parameter)."""

    status = 400


class InvalidInput(EncoursError):
    """A value the user gave breaks a rule: an amount, a date, a reference."""

    status = 422


class InvalidLines(InvalidInput):
    """Bad input found on lines of files, every one reported at once (beancount's errors as data).

    ``message`` says what it means for the whole (nothing imported); ``errors`` point at each
    file, line and field.
    """

    def __init__(self, message: str, errors: Sequence[LedgerError]) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class NotAuthenticated(EncoursError):
    """Who is asking is unknown: sign in, or give a valid token."""

    status = 401


class Forbidden(EncoursError):
    """The user is known but may not do this."""

    status = 403


class NotFound(EncoursError):
    """The named customer, invoice, case or page does not exist."""

    status = 404


class Conflict(EncoursError):
    """The operation clashes with what exists already (a user with the same e-mail)."""

    status = 409
