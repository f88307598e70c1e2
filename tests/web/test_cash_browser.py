"""The cash-application screen in a real Chromium: a credit manager in French at 1280 px confirms
a suggestion and allocates a receipt by hand (French amount, bank charge); an admin in English at
390 px sets a credit aside. Screenshots go to test-artifacts/web/cash-*."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from tests.web.conftest import serving
from tests.web.test_browser import browser, shot  # noqa: F401 (fixture)
from tests.web.test_cash_screen import ENGLISH, prepare
from tests.web.test_workspace_browser import Day, sign_in
from typer.testing import CliRunner

pytestmark = pytest.mark.browser


@pytest.fixture
def cash_served(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if k != "ENCOURS_SECRET_KEY"}
    with serving(prepare(cli, tmp_path, sqlite_url), env=env) as served:
        yield served.base


def no_sideways_scroll(page: object, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert scroll <= width, f"the page is {scroll} px wide at {width} px"


def test_cash_screen_in_a_browser(browser: Browser, cash_served: str) -> None:  # noqa: F811
    base = cash_served
    page = sign_in(browser, base, Day("credit_manager", "fr", 1280, 0))
    page.click("nav details:has(a[href='/cash']) > summary")  # the menu's Trésorerie group
    page.click("nav a[href='/cash']")
    page.wait_for_url(f"{base}/cash")
    assert not [word for word in ENGLISH if word in page.inner_text("main")]
    shot(page, "cash-list-fr-1280")
    page.locator("tr.receipt", has_text="FC-7001").locator("td a").first.click()
    shot(page, "cash-receipt-fr-1280")
    page.click("#cash-confirm")
    assert page.inner_text("#receipt-status") == "Rapproché"
    page.goto(f"{base}/cash")
    page.locator("tr.receipt", has_text="SOCIETE X").locator("td a").first.click()
    page.fill("#cash-search", "ACMÉ")  # accents and case do not matter
    page.click("text=Rechercher >> nth=-1")
    page.click("text=Acme Industrie SAS")
    row = page.locator("tr.open-invoice[data-invoice=FA220302]")
    row.locator("input[name=ticked]").check()
    row.locator("input[name=amounts]").fill("1 194,00")
    row.locator("input[name=charges]").check()
    shot(page, "cash-allocate-fr-1280")
    page.click("#cash-allocate")
    assert page.inner_text("#receipt-status") == "Rapproché"
    assert "Frais bancaires" in page.inner_text("main")
    shot(page, "cash-allocated-fr-1280")
    page.context.close()

    phone = sign_in(browser, base, Day("admin", "en", 390, 0))
    phone.goto(f"{base}/cash")
    assert "Receipts to apply" in phone.inner_text("main")
    no_sideways_scroll(phone, 390)
    shot(phone, "cash-list-en-390")
    phone.locator("tr.receipt", has_text="FONCIA").locator("td a").first.click()
    no_sideways_scroll(phone, 390)
    phone.fill("#cash-note", "rent from our tenant, not a customer")
    phone.click("#cash-ignore")
    assert phone.inner_text("#receipt-status") == "Ignored"
    shot(phone, "cash-ignored-en-390")
    phone.goto(f"{base}/cash")
    assert "FONCIA" not in phone.inner_text("main")
