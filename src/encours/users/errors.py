"""Refusals of the users domain, on the one error root (the kind first gives the HTTP status)."""

from __future__ import annotations

from encours.domain.errors import BadRequest, Conflict, NotAuthenticated


class UserError(BadRequest):
    """Bad input to the users service (unknown role, weak password...)."""


class WeakPassword(UserError):
    """A password the policy refuses: too short, or too easy to guess."""


class InvalidCredentials(NotAuthenticated, UserError):
    """Wrong e-mail or password."""


class LoginThrottled(UserError):
    """Too many failed logins from this address: wait before trying again."""

    status = 429


class UserExists(Conflict, UserError):
    """A user with this e-mail address exists already."""
