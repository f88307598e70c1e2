"""Errors of the users domain; each carries the HTTP status the web layer answers with."""

from __future__ import annotations


class UserError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidCredentials(UserError):
    status = 401


class LoginThrottled(UserError):
    status = 429


class UserExists(UserError):
    status = 409
