"""The collector's day in a real Chromium, in French at desktop width and in English at 390 px:
filter the worklist, take a customer, record a promise on chosen invoices, see its reminder
paused in the dunning preview, mark the promise broken (the reminder is back), resolve a
dispute, complete the follow-up task. Screenshots go to test-artifacts/web/workspace-*."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Page
from tests.web.browsing import signed_in
from tests.web.conftest import AS_OF, email
from tests.web.test_browser import browser, served, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


class Day(NamedTuple):
    role: str
    language: str
    width: int
    pick: int  # which customer of the dunning preview this run works


DAYS = [Day("collector", "fr", 1280, 0), Day("credit_manager", "en", 390, 1)]
PROMISED = (dt.date.fromisoformat(AS_OF) + dt.timedelta(days=10)).isoformat()
ENGLISH_ON_FRENCH_PAGES = (
    "Worklist",
    "Tasks",
    "Broken",
    "Resolve",
    "Overdue bucket",
    "Saved views",
    "Due today",
)


def sign_in(browser: Browser, base: str, day: Day) -> Page:  # noqa: F811
    page = signed_in(
        browser, base, email(day.role), locale="fr-FR", viewport={"width": day.width, "height": 900}
    )
    if page.get_attribute("html", "lang") != day.language:
        page.click("details.who summary")  # the account menu
        with page.expect_navigation():  # the menu submits itself on change
            page.select_option("select[name=language]", day.language)
    assert page.get_attribute("html", "lang") == day.language
    return page


def preview(page: Page, base: str) -> dict[str, list[str]]:
    """The dunning dry run for the day: invoices per customer."""
    page.goto(f"{base}/dunning?as_of={AS_OF}&preview=true")
    found: dict[str, list[str]] = {}
    for row in page.locator("#dunning-preview tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        customer = row.get_attribute("data-customer")
        if customer and len(cells) >= 5:
            found.setdefault(customer, []).extend(i.strip() for i in cells[4].split(",") if i.strip())
    return found


def no_english(page: Page, day: Day) -> None:
    if day.language == "fr":
        text = page.inner_text("body")
        assert not [w for w in ENGLISH_ON_FRENCH_PAGES if w in text], page.url


@pytest.mark.parametrize("day", DAYS, ids=[f"{d.language}-{d.width}" for d in DAYS])
def test_a_collectors_day(served: tuple[str, str], browser: Browser, day: Day) -> None:  # noqa: F811
    base, _ = served
    page = sign_in(browser, base, day)
    name = f"workspace-{day.language}-{day.width}"

    # the worklist, filtered on an overdue bucket
    page.goto(f"{base}/worklist?as_of={AS_OF}&collector=")
    worked = page.locator("tr.work-item").evaluate_all("rows => rows.map(r => r.dataset.customer)")
    bucket = page.locator("select[name=bucket] option").nth(2).get_attribute("value")
    page.select_option("select[name=bucket]", bucket)
    page.click("#apply-filters")
    page.wait_for_url("**bucket=*")
    buckets = page.locator("tr.work-item").evaluate_all("rows => rows.map(r => r.dataset.bucket)")
    assert buckets and set(buckets) == {bucket} and len(buckets) < len(worked)
    no_english(page, day)
    shot(page, f"{name}-1-worklist-filtered")

    # a customer reminded today, taken with a bulk assignment from the worklist
    planned = preview(page, base)
    customer = [c for c in planned if c in worked][day.pick]
    invoice = planned[customer][0]
    page.goto(f"{base}/worklist?as_of={AS_OF}&collector=")
    row = page.locator(f"tr.work-item[data-customer='{customer}']")
    row.locator("input.tick").check()
    page.select_option("#bulk select[name=assignee]", email(day.role))
    page.click("#bulk-apply")
    page.wait_for_selector("p.ok")
    page.goto(f"{base}/worklist?as_of={AS_OF}")  # a collector's home: their own customers
    assert customer in page.locator("tr.work-item").evaluate_all("rows => rows.map(r => r.dataset.customer)")
    page.locator("tr.work-item").first.focus()
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.classList.contains('work-item')")
    shot(page, f"{name}-2-my-worklist")
    page.locator(f"tr.work-item[data-customer='{customer}'] a.open").click()
    page.wait_for_url(f"**/customers/{customer}*")

    # a promise on one chosen invoice, typed the French way
    boxes = page.locator("#promise-form input[name=invoice_ids]")
    assert boxes.count() >= 1 and all(b.is_checked() for b in boxes.all())  # all open invoices by default
    for box in boxes.all():
        if box.get_attribute("value") != invoice:
            box.uncheck()
    page.fill("#promise-form input[name=amount]", "10,50")  # a decimal comma
    page.fill("#promise-form input[name=promised_date]", PROMISED)
    page.click("#record-promise")
    page.wait_for_selector("p.ok")
    assert ("Promesse" if day.language == "fr" else "Promise") in page.inner_text("#timeline")
    no_english(page, day)
    shot(page, f"{name}-3-promise-recorded")
    assert invoice not in preview(page, base).get(customer, [])  # its reminder waits
    shot(page, f"{name}-4-dunning-paused")

    # the promise broken: the reminder is back
    page.goto(f"{base}/promises?as_of={AS_OF}")
    promise = page.locator("tr.promise", has=page.locator(f"a[href^='/customers/{customer}?']")).first
    assert promise.locator(".invoices").inner_text() == invoice
    promise.locator(".act-broken").click()
    page.wait_for_selector("p.ok")
    no_english(page, day)
    shot(page, f"{name}-5-promise-broken")
    assert invoice in preview(page, base).get(customer, [])

    # a dispute opened on the sheet, resolved on the board
    page.goto(f"{base}/customers/{customer}?as_of={AS_OF}")
    dispute = page.locator("form:has(.act-dispute)")
    dispute.locator("input[name=invoice_id]").fill(invoice)
    dispute.locator("input[name=text]").fill("quantité livrée contestée")
    dispute.locator(".act-dispute").click()
    page.wait_for_selector("p.ok")
    page.goto(f"{base}/disputes")
    row = page.locator("tr.dispute", has=page.locator(f"a[href='/customers/{customer}']")).first
    row.locator("select[name=category]").select_option("quantity")
    page.wait_for_selector("p.ok")
    row = page.locator("tr.dispute", has=page.locator(f"a[href='/customers/{customer}']")).first
    row.locator("input[name=resolution]").fill("avoir partiel accordé")
    row.locator("input[name=note]").fill("AV-2026-17")
    row.locator(".act-resolve").click()
    page.wait_for_selector("p.ok")
    row = page.locator("tr.dispute", has=page.locator(f"a[href='/customers/{customer}']")).first
    assert "avoir partiel accordé" in row.inner_text()
    no_english(page, day)
    shot(page, f"{name}-6-dispute-resolved")

    # the broken promise's call is in my tasks; done
    page.goto(f"{base}/tasks?as_of={AS_OF}")
    task = page.locator("tr.task", has=page.locator(f"a[href^='/customers/{customer}?']")).first
    task_id = task.get_attribute("data-task")
    task.locator("input[name=outcome]").fill("client rappelé, paiement vendredi")
    task.locator(".act-done").click()
    page.wait_for_selector("p.ok")
    assert page.locator(f"tr.task[data-task='{task_id}']").count() == 0
    no_english(page, day)
    shot(page, f"{name}-7-task-done")

    # the bell told of the broken promise
    assert page.locator("#bell .count").count() == 1
    page.click("#bell")
    assert page.locator("#notifications li.unread").count() >= 1
    no_english(page, day)
    assert page.locator("#bell .count").count() == 0  # opening the list read them
    shot(page, f"{name}-8-notifications")
