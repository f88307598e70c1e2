"""Errors of the users domain; each carries the HTTP status the web layer answers with."""

from __future__ import annotations

from encours.errors import StatusError


class UserError(StatusError):
    """Bad input to the users service (unknown role, weak password...)."""


class InvalidCredentials(UserError):
    status = 401


class LoginThrottled(UserError):
    status = 429


class UserExists(UserError):
    status = 409
