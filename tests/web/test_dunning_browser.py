"""Dunning in a real headless Chromium against `encours serve`: preview a customer's message
(e-mail and letter PDF), approve and run (a background job whose page shows its progress),
then find what was sent in the history — in French and in English. Screenshots and the PDFs
opened are kept under test-artifacts/web/."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from tests.conftest import DEMO_UNTIL, free_port
from tests.web.browsing import signed_in
from tests.web.conftest import PASSWORD, load_demo, serving
from tests.web.test_browser import ARTIFACTS, browser, shot  # noqa: F401 - the module's browser fixture

from encours.demo.generator import DemoLedger
from encours.storage.database import unit_of_work
from encours.users.service import UserService

pytestmark = pytest.mark.browser
ENGLISH_MANAGER = "manager.en@encours.test"
FRENCH_MANAGER = "manager.fr@encours.test"
ENGLISH_IN_FRENCH = re.compile(
    r"\b(Approve|Preview|Sent|Letter|Reminder|Pause|History|Status|Customer|Done)\b"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dunning-browser")
    url = f"sqlite:///{folder / 'encours.db'}"
    engine = load_demo(url, demo_ledger)
    with unit_of_work(engine) as session:
        users = UserService(session)
        users.create(FRENCH_MANAGER, "credit_manager", PASSWORD, actor="test", language="fr")
        users.create(ENGLISH_MANAGER, "credit_manager", PASSWORD, actor="test", language="en")
    env = {**os.environ, "ENCOURS_DATA_DIR": str(folder / "data")}
    for name in ("ENCOURS_SMTP_URL", "ENCOURS_SECRET_KEY", "ENCOURS_FAULT_AFTER_SENDS"):
        env.pop(name, None)
    with serving(url, env=env, port=free_port()) as running:
        yield running.base


def sign_in(browser: Browser, base: str, user: str, locale: str = "fr-FR") -> Page:  # noqa: F811
    return signed_in(browser, base, user, locale=locale, viewport={"width": 1280, "height": 900})


def keep_pdf(page: Page, href: str, name: str) -> bytes:
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data.startswith(b"%PDF")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)
    return data


@pytest.mark.parametrize(
    ("language", "user", "as_of"),
    [("fr", FRENCH_MANAGER, DEMO_UNTIL), ("en", ENGLISH_MANAGER, DEMO_UNTIL + dt.timedelta(days=20))],
)
def test_preview_approve_run_and_find_what_was_sent(
    served: str,
    browser: Browser,  # noqa: F811 - the fixture imported above
    language: str,
    user: str,
    as_of: dt.date,
) -> None:
    base = served
    page = sign_in(browser, base, user, "fr-FR" if language == "fr" else "en-GB")
    page.goto(f"{base}/dunning?as_of={as_of.isoformat()}&preview=true")
    page.wait_for_selector("#dunning-preview")
    shot(page, f"dunning-{language}-1-plan")
    links = page.locator("a.message-preview")
    assert links.count() > 0
    # the customer whose message carries a letter, else the first one
    letter_page = None
    for n in range(min(links.count(), 12)):
        page.goto(base + str(links.nth(n).get_attribute("href")))
        if page.locator("a.letter").count():
            letter_page = page.url
            break
        page.go_back()
        links = page.locator("a.message-preview")
    assert letter_page is not None, "no customer with a letter in the plan"
    subject = page.inner_text("#email-subject")
    body = page.inner_text("#email-body")
    assert subject and body
    shot(page, f"dunning-{language}-2-preview")
    customer = re.search(r"/dunning/customers/([^/]+)/preview", letter_page).group(1)  # type: ignore[union-attr]
    letter = page.locator("a.letter").first
    letter_name = letter.inner_text()
    previewed = keep_pdf(
        page, base + str(letter.get_attribute("href")), f"dunning-{language}-preview-letter.pdf"
    )
    if language == "fr":
        assert (
            ENGLISH_IN_FRENCH.search(
                page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
            )
            is None
        )

    page.click("#approve-and-run")
    page.wait_for_url(re.compile(r".*/dunning/runs/\d+$"))
    shot(page, f"dunning-{language}-3-running")
    page.wait_for_selector("#job-status[data-status=done]", timeout=120_000)  # the page refreshes itself
    shot(page, f"dunning-{language}-4-done")
    assert page.locator("#run-actions tbody tr").count() > 1
    assert page.locator("#job-summary").count() == 1

    page.goto(f"{base}/dunning/history?customer={customer}")
    shot(page, f"dunning-{language}-5-history")
    page.locator("a.sent-email").first.click()
    page.wait_for_selector("#email-body")
    assert page.inner_text("#email-subject") == subject  # what went is what was previewed
    assert page.inner_text("#email-body").strip() == body.strip()
    shot(page, f"dunning-{language}-6-sent-email")
    page.goto(f"{base}/dunning/history?customer={customer}")
    sent = {}
    for link in page.locator("a.sent-letter").all():
        data = keep_pdf(page, base + str(link.get_attribute("href")), f"dunning-{language}-sent-letter.pdf")
        sent[data] = link
    assert previewed in sent, letter_name  # the letter sent is byte for byte the one previewed
    if language == "fr":
        assert ENGLISH_IN_FRENCH.search(page.inner_text("body")) is None


def test_pause_from_the_customer_sheet(served: str, browser: Browser) -> None:  # noqa: F811
    page = sign_in(browser, served, FRENCH_MANAGER)
    page.goto(f"{served}/customers/C00003?as_of={DEMO_UNTIL.isoformat()}")
    until = (DEMO_UNTIL + dt.timedelta(days=30)).isoformat()
    page.fill("#dunning-pause input[name=until]", until)
    page.click("#pause")
    page.wait_for_selector("#paused-until")
    assert "Relances suspendues jusqu" in page.inner_text("#paused-until")
    shot(page, "dunning-fr-7-paused-sheet")
    page.click("#resume")
    page.wait_for_selector("#pause")
