"""One error hierarchy for the web layer, each error carrying its HTTP status."""

from __future__ import annotations

from encours.errors import StatusError


class WebError(StatusError):
    """A request the web layer refuses (not found, forbidden, CSRF...)."""


class NotFound(WebError):
    status = 404


class Forbidden(WebError):
    status = 403


class LoginRequired(WebError):
    """A page needs a signed-in user: the UI redirects to the login page."""

    status = 401


class CsrfFailed(WebError):
    status = 403
