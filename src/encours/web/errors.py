"""The web layer's own refusals, on the one error root (encours.domain.errors)."""

from __future__ import annotations

from encours.domain.errors import Forbidden, NotAuthenticated


class LoginRequired(NotAuthenticated):
    """A page needs a signed-in user: the UI redirects to the login page."""


class CsrfFailed(Forbidden):
    """A form or cookie-authenticated write without the session's CSRF token."""
