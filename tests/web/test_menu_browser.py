"""The menu in a real Chromium: one line at 1280 and 1440 px in French and English, usable at
390 px, every destination reachable from the keyboard through its group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from tests.web.conftest import email
from tests.web.test_browser import browser, served, shot, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

# every destination of the former flat menu (an admin sees them all)
DESTINATIONS = ["/", "/worklist", "/tasks", "/customers", "/aging", "/disputes", "/promises", "/plans",
                "/litigation", "/dunning", "/cash", "/jobs", "/admin"]  # fmt: skip


@pytest.fixture(scope="module")
def pages(served: tuple[str, str], browser: Browser) -> Iterator[dict[str, Page]]:  # noqa: F811
    """The admin in French and a credit manager switched to English, each in their own context."""
    base, _ = served
    french = sign_in(browser, base, "admin")
    english = sign_in(browser, base, "credit_manager")
    english.locator("header details.who summary").click()
    with english.expect_navigation():
        english.select_option("select[name=language]", "en")
    assert english.evaluate("document.documentElement.lang") == "en", email("credit_manager")
    yield {"fr": french, "en": english}
    french.context.close()
    english.context.close()


def entries(page: Page) -> list[dict[str, float]]:
    """The boxes of the menu's top-level entries (the dashboard link and each group's summary)."""
    return list(page.evaluate(
        "[...document.querySelectorAll('header nav > a, header nav > details > summary')].map(e => {"
        " const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, right: r.right,"
        " height: r.height}; })"
    ))  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("width", [1280, 1440])
def test_the_menu_holds_on_one_line(
    served: tuple[str, str], pages: dict[str, Page], language: str, width: int,  # noqa: F811
) -> None:  # fmt: skip
    base, _ = served
    page = pages[language]
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{base}/worklist")
    boxes = entries(page)
    assert len(boxes) == 5, boxes  # the dashboard and four groups
    assert len({round(b["top"]) for b in boxes}) == 1, f"the {language} menu wraps at {width} px: {boxes}"
    assert all(b["height"] < 30 for b in boxes), f"an entry wraps inside itself: {boxes}"
    header = page.evaluate("document.querySelector('header.top').getBoundingClientRect().right")
    assert max(b["right"] for b in boxes) <= header, "the menu leaves the header"
    overflow = page.evaluate(
        "[document.documentElement, document.querySelector('header nav')]"
        ".map(e => e.scrollWidth - e.clientWidth)"
    )
    assert max(overflow) <= 0, f"{language} at {width} px scrolls sideways by {overflow}"
    page.locator("header nav summary").nth(1).click()  # Recouvrement / Collection opens under it
    shot(page, f"menu-{language}-{width}-open")
    panel = page.locator("header nav details[open] .panel")
    assert panel.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.keyboard.press("Escape")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_destination_is_reachable_from_the_keyboard(
    served: tuple[str, str], pages: dict[str, Page], language: str,  # noqa: F811
) -> None:  # fmt: skip
    """Tab to a group's summary, Enter opens it, Tab to the link, Enter follows it (no mouse)."""
    base, _ = served
    page = pages[language]
    page.set_viewport_size({"width": 1280, "height": 800})
    found = set()
    for target in DESTINATIONS:
        page.goto(f"{base}/jobs")
        link = page.locator(f"header nav a[href='{target}']")
        assert link.count() == 1, f"{target} is not in the {language} menu"
        group = link.locator("xpath=ancestor::details[1]")
        if group.count():
            group.locator("summary").focus()
            page.keyboard.press("Enter")
            assert group.evaluate("d => d.open"), f"Enter does not open the group of {target}"
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.split("?")[0] == f"{base}{target}", (target, page.url)
        marked = page.locator(f"header nav a[href='{target}'][aria-current='page']")
        assert marked.count() == 1, f"{target} is not marked as the page shown"
        found.add(target)
    assert found == set(DESTINATIONS)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_menu_is_usable_on_a_phone(
    served: tuple[str, str], pages: dict[str, Page], language: str,  # noqa: F811
) -> None:  # fmt: skip
    base, _ = served
    page = pages[language]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    boxes = entries(page)
    assert all(b["right"] <= 390 for b in boxes), boxes
    page.locator("header nav summary").nth(1).click()
    panel = page.locator("header nav details[open] .panel")
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, f"menu-{language}-390-open")
    links = panel.locator("a")
    for index in range(links.count()):
        target = links.nth(index).bounding_box()
        assert target is not None and target["height"] >= 32, "a phone's finger needs a larger link"
    page.keyboard.press("Escape")
    assert not page.locator("header nav details[open]").count()
