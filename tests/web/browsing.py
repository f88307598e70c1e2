"""Signing in through the real sign-in form in Chromium, as every browser test starts."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, ViewportSize
from tests.web.conftest import PASSWORD


def signed_in(
    browser: Browser, base: str, login: str, *, password: str = PASSWORD, locale: str | None = None,
    viewport: ViewportSize | None = None,
) -> Page:  # fmt: skip
    """A page of a new browser context (its own cookies), signed in and on the dashboard; the
    home page first sends a stranger to the sign-in form."""
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=email]", login)
    page.fill("input[name=password]", password)
    page.click("#sign-in")
    page.wait_for_url(f"{base}/")
    return page
