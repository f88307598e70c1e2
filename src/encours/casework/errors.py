"""Casework's refusals, on the one error root: bad input (422) and unknown records (404)."""

from __future__ import annotations

from encours.domain import errors


class CaseworkError(errors.InvalidInput):
    """A casework service refused its input (bad amount, closed case...); the base of casework's errors."""


class NotFound(errors.NotFound, CaseworkError):
    """The named customer, invoice, dispute, promise, plan or task does not exist (404)."""
