"""One error hierarchy for the web layer, each error carrying its HTTP status."""

from __future__ import annotations


class WebError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(WebError):
    status = 404


class Forbidden(WebError):
    status = 403


class LoginRequired(WebError):
    """A page needs a signed-in user: the UI redirects to the login page."""

    status = 401


class CsrfFailed(WebError):
    status = 403
