"""A refused promise in a real Chromium, in French at 390 px: the sheet comes back with what was
typed, the amount marked and the reason beside it; corrected with a French amount, it is kept.
Screenshots: test-artifacts/web/form-error-fr-390-*."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from tests.web.conftest import AS_OF
from tests.web.test_browser import browser, served, shot  # noqa: F401 (fixtures)
from tests.web.test_workspace_browser import Day, sign_in

pytestmark = pytest.mark.browser


def test_a_refused_promise_keeps_what_was_typed_at_phone_width(
    served: tuple[str, str],  # noqa: F811
    browser: Browser,  # noqa: F811
) -> None:
    base, _ = served
    page = sign_in(browser, base, Day("collector", "fr", 390, 0))
    page.goto(f"{base}/customers/C00004?as_of={AS_OF}")
    form = page.locator("#promise-form")
    form.locator("input[name=amount]").fill("12,3,4")
    form.locator("input[name=promised_date]").fill("2026-11-20")
    form.locator("input[name=note]").fill("le gérant rappellera")
    with page.expect_navigation():
        form.locator("#record-promise").click()
    amount = page.locator("#promise-form input[name=amount]")
    assert amount.get_attribute("aria-invalid") == "true"
    assert amount.input_value() == "12,3,4"
    assert page.locator("#promise-form input[name=note]").input_value() == "le gérant rappellera"
    said = page.locator(f"#{amount.get_attribute('aria-describedby')}")
    assert "montant illisible" in said.inner_text()
    assert said.is_visible() and said.bounding_box()["width"] <= 390  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling
    amount.scroll_into_view_if_needed()
    shot(page, "form-error-fr-390-1-refused")
    amount.fill("1 234,56")
    page.locator("#record-promise").click()
    page.wait_for_url("**done=promise*")
    shot(page, "form-error-fr-390-2-kept")
