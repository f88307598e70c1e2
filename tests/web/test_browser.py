"""End to end in a real headless Chromium against `encours serve` in its own process."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from tests.conftest import free_port
from tests.web.browsing import signed_in
from tests.web.conftest import email, encours_command, load_demo, serving

from encours.demo.generator import DemoLedger

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    found = os.environ.get("ENCOURS_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: scripts/services.sh installs it (ENCOURS_TEST_CHROMIUM)")
        pytest.skip("no Chromium (apt-get install chromium, or set ENCOURS_TEST_CHROMIUM)")
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of `encours serve` running as a subprocess on a free loopback port."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'encours.db'}"
    load_demo(url, demo_ledger)
    port = free_port()
    env = {**os.environ, "ENCOURS_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("ENCOURS_SECRET_KEY", None)  # the secret comes from the database, as the CLI's does
    with serving(url, env=env, port=port) as served:
        yield served.base, url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(browser: Browser, base: str, role: str) -> Page:
    return signed_in(browser, base, email(role), locale="en-GB")


def test_sign_in_and_open_the_dashboard(served: tuple[str, str], browser: Browser) -> None:
    base, _ = served
    page = sign_in(browser, base, "admin")
    page.goto(f"{base}/?as_of=2026-10-31")
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_selector("#chart-aging .main-svg")  # plotly drew the chart
    outstanding = page.inner_text("#kpi-outstanding-EUR")
    assert any(ch.isdigit() for ch in outstanding)
    # the DSO trend and the 13-week forecast are computed in the background: they appear soon
    for _ in range(120):
        if (
            page.locator("#chart-trend .main-svg").count()
            and page.locator("#chart-forecast .main-svg").count()
        ):
            break
        time.sleep(1)
        page.reload()
        page.wait_for_selector("body[data-charts=ready]")
    assert page.locator("#chart-trend .main-svg").count() >= 1
    assert page.locator("#chart-forecast .main-svg").count() >= 1
    shot(page, "dashboard")


def test_work_a_worklist_item(served: tuple[str, str], browser: Browser) -> None:
    base, _ = served
    page = sign_in(browser, base, "collector")
    page.goto(f"{base}/worklist?as_of=2026-10-31")
    first = page.locator("tr.work-item").first
    customer = first.get_attribute("data-customer")
    note = "Spoke to accounts payable, payment run on Friday"
    first.locator("form:has(.act-call) input[name=text]").fill(note)
    first.locator(".act-call").click()
    page.wait_for_selector("p.ok")
    shot(page, "worklist-after-call")
    page.goto(f"{base}/customers/{customer}")
    timeline = page.inner_text("#timeline")
    assert "Appel · passé" in timeline and "payment run on Friday" in timeline  # the collector reads French
    shot(page, "customer-sheet")


def test_customer_uses_the_portal_link_made_by_the_cli(served: tuple[str, str], browser: Browser) -> None:
    base, db = served
    made = subprocess.run(
        [*encours_command(), "portal", "link", "C00007", "--db", db],
        env={**os.environ, "ENCOURS_BASE_URL": base},
        capture_output=True,
        text=True,
        check=True,
    )
    link = made.stdout.strip().splitlines()[-1]
    assert link.startswith(f"{base}/portal/")
    context = browser.new_context()  # no cookie: a customer's browser
    page = context.new_page()
    page.goto(link)
    rows = page.locator("#portal-invoices td.invoice-id").all_inner_texts()
    assert rows and all(r.startswith("F") for r in rows)
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=14)
    page.fill("#form-promise input[name=date]", soon.isoformat())
    page.fill("#form-promise input[name=amount]", "250.00")
    page.click("#form-promise button")
    page.wait_for_selector("p.ok")
    shot(page, "portal-after-promise")
    tampered = link[:-2] + ("xx" if not link.endswith("xx") else "yy")
    response = page.goto(tampered)
    assert response is not None and response.status in (403, 404)
    assert "C00007" not in page.content()


def test_the_api_reference_renders_from_packaged_assets(served: tuple[str, str], browser: Browser) -> None:
    """/docs was blank: Swagger UI from a CDN and an inline script, both blocked by our own CSP."""
    base, _ = served
    page = browser.new_context(locale="en-GB").new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(base) else outside.append(request.url))
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/customers" in path.replace("\u200b", "") for path in paths)
    assert not [text for text in refused if "Content Security Policy" in text]
    assert outside == []  # no CDN: the page works on a machine with no internet access
    shot(page, "api-docs")


FRENCH_PAGES = ["/", "/worklist", "/customers", "/aging", "/disputes", "/promises", "/plans", "/dunning"]


@pytest.mark.parametrize("width", [390, 1440])
def test_french_pages_fit_the_screen(served: tuple[str, str], browser: Browser, width: int) -> None:
    """Nothing wider than a phone at 390 px (wide tables scroll inside themselves); at 1440 px
    the French menu holds on one line."""
    base, _ = served
    page = sign_in(browser, base, "admin")  # the admin works in French
    page.set_viewport_size({"width": width, "height": 900})
    for path in FRENCH_PAGES:
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.lang") == "fr"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than {width} px"
        if width == 1440:
            tops = page.evaluate("[...document.querySelectorAll('header nav a')].map(a => a.offsetTop)")
            assert len(set(tops)) == 1, f"{path}: the menu wraps"
        shot(page, f"fr-{width}-{path.strip('/') or 'dashboard'}")
