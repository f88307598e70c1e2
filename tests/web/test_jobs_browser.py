"""Background jobs in a real Chromium, in French at desktop width and in English at 390 px:
statements sent to customers ticked on the worklist (the page answers at once with the job,
which shows its progress, then what it sent), and bank statements and a ledger file imported
from the browser. Screenshots go to test-artifacts/web/jobs-*."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from tests.conftest import SAMPLES, free_port
from tests.web.conftest import AS_OF, load_demo, serving
from tests.web.test_browser import browser, shot  # noqa: F401 (fixtures)
from tests.web.test_workspace_browser import Day, sign_in

from encours.demo.generator import DemoLedger

pytestmark = pytest.mark.browser
DAYS = [Day("credit_manager", "fr", 1280, 0), Day("credit_manager", "en", 390, 1)]
STATEMENT = SAMPLES / "cfonb120/oca-test_cfonb.txt"
UNBALANCED = SAMPLES / "mt940/jejik-abnamro.sta"


@pytest.fixture(scope="module")
def served_with_data(
    tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger
) -> Iterator[tuple[str, Path]]:
    """`encours serve` on its own demo database and data directory (statements are written there)."""
    folder = tmp_path_factory.mktemp("jobs-browser")
    url = f"sqlite:///{folder / 'encours.db'}"
    load_demo(url, demo_ledger)
    port = free_port()
    env = {
        **os.environ,
        "ENCOURS_BASE_URL": f"http://127.0.0.1:{port}",
        "ENCOURS_DATA_DIR": str(folder / "data"),
    }
    for name in ("ENCOURS_SECRET_KEY", "ENCOURS_SMTP_URL"):
        env.pop(name, None)
    with serving(url, env=env, port=port) as served:
        yield served.base, folder / "data"


def finished(page: Page) -> str:
    """The job page reloads itself until the job ends; its final status."""
    page.wait_for_selector("#job[data-status=done], #job[data-status=failed]", timeout=120_000)
    return str(page.get_attribute("#job", "data-status"))


@pytest.mark.parametrize("day", DAYS, ids=[f"{d.language}-{d.width}" for d in DAYS])
def test_statements_and_imports_run_as_jobs_with_their_pages(
    served_with_data: tuple[str, Path],
    browser: Browser,  # noqa: F811
    day: Day,
) -> None:
    base, data = served_with_data
    page = sign_in(browser, base, day)
    name = f"jobs-{day.language}-{day.width}"
    page.goto(f"{base}/worklist?as_of={AS_OF}&collector=")
    ticks = page.locator("input.tick")
    for index in (2 * day.pick, 2 * day.pick + 1):
        ticks.nth(index).check()
    chosen = [ticks.nth(i).get_attribute("value") for i in (2 * day.pick, 2 * day.pick + 1)]
    page.check("input[name=action][value=statement]")
    with page.expect_navigation():
        page.click("#bulk-apply")
    assert "/jobs/" in page.url  # the request answered with the job
    assert finished(page) == "done"
    sent = page.inner_text("#statements-sent")
    assert (
        sent.endswith("2 / 2") and ("Relevés envoyés" if day.language == "fr" else "Statements sent") in sent
    )
    shot(page, f"{name}-statements")
    assert {p.name.split("-")[1] for p in (data / "mail").glob("statement-*.eml")} >= set(chosen)

    page.goto(f"{base}/admin/import")
    page.set_input_files("input[name=files]", [str(STATEMENT), str(UNBALANCED)])
    with page.expect_navigation():
        page.click("#start-import")
    page.wait_for_selector("#job-status[data-status=done]", timeout=120_000)
    accounts = page.locator("#imported-statements tbody tr").all_inner_texts()
    assert len(accounts) == 2 and all("oca-test_cfonb.txt" in row for row in accounts)
    errors = page.inner_text("#import-errors")
    assert "jejik-abnamro.sta" in errors
    assert ("solde final" if day.language == "fr" else "closing balance") in errors  # the balance, said
    shot(page, f"{name}-import")
    page.goto(f"{base}/jobs")
    assert page.locator("#jobs tr[data-status]").count() >= 2
    if day.language == "fr":
        body = page.inner_text("body")
        assert "Envoi de relevés de compte" in body and "statements" not in body
        assert "files rejected" not in body and "voir le détail" in body  # the import's error, not in English
    shot(page, f"{name}-list")
