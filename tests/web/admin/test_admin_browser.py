"""A credit manager sets the company up in a real Chromium, in French and in English.

Company details, a scenario's step, an SMTP test e-mail (aiosmtpd), deactivating a user
(their open session dies), a password reset link, an import with a bad line listed.
Screenshots go to test-artifacts/web/admin/.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Page
from tests.conftest import SmtpServer, free_port
from tests.web import browsing
from tests.web.conftest import PASSWORD, load_demo, serving
from tests.web.test_browser import ARTIFACTS, browser  # noqa: F401  (the browser fixture)

from encours.demo.generator import DemoLedger
from encours.storage.database import unit_of_work
from encours.users.service import UserService

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "admin"
LANGUAGES = ("fr", "en")
NEW_PASSWORD = "Lanterne-figuier-orage-2291"
WORDS = {
    "fr": {"saved": "Enregistré", "sent": "accepté par le serveur", "refused": "Fichiers refusés"},
    "en": {"saved": "Saved", "sent": "accepted by the server", "refused": "Files refused"},
}


class Server(NamedTuple):
    base: str
    data_dir: Path
    smtp: SmtpServer


def person(role: str, lang: str) -> str:
    return f"{role}-{lang}@encours.test"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger) -> Iterator[Server]:
    from aiosmtpd.controller import Controller
    from tests.conftest import Collector

    root = tmp_path_factory.mktemp("admin-browser")
    url = f"sqlite:///{root / 'encours.db'}"
    engine = load_demo(url, demo_ledger)
    with unit_of_work(engine) as session:
        users = UserService(session)
        for lang in LANGUAGES:
            for role in ("admin", "collector", "sales"):
                users.create(person(role, lang), role, PASSWORD, actor="test", language=lang)
    collector = Collector()
    smtp_port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    data_dir = root / "data"
    env = {**os.environ, "ENCOURS_BASE_URL": f"http://127.0.0.1:{port}", "ENCOURS_DATA_DIR": str(data_dir)}
    for name in ("ENCOURS_SECRET_KEY", "ENCOURS_SMTP_URL", "ENCOURS_PAYMENT_LINK"):
        env.pop(name, None)
    try:
        with serving(url, env=env, port=port) as served:
            yield Server(served.base, data_dir, SmtpServer(collector, f"smtp://127.0.0.1:{smtp_port}"))
    finally:
        controller.stop()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def signed_in(browser: Browser, base: str, login: str, password: str = PASSWORD) -> Page:  # noqa: F811
    return browsing.signed_in(
        browser, base, login, password=password, viewport={"width": 1440, "height": 900}
    )


def no_english(page: Page, lang: str) -> None:
    if lang == "fr":
        text = page.inner_text("main")
        for word in ("Save", "Saved", "Required", "Invalid", "Company", "Users", "Refused"):
            assert not re.search(rf"\b{word}\b", text), word


@pytest.mark.parametrize("lang", LANGUAGES)
def test_set_up_the_company(server: Server, browser: Browser, lang: str) -> None:  # noqa: F811
    page = signed_in(browser, server.base, person("admin", lang))
    page.click("nav >> a[href='/admin']")
    page.click("a[href='/admin/settings/company']")
    page.fill("input[name=name]", f"Tuiles Dupont {lang.upper()}")
    page.fill("textarea[name=address]", "4 rue des Lilas\n69003 Lyon\nFrance")
    page.fill("input[name=siren]", "123456789")  # a bad check digit
    page.fill("input[name=iban]", "FR7630006000011234567890189")
    page.click("#save-settings")
    assert page.locator("[data-field=siren]").count() == 1
    no_english(page, lang)
    shot(page, f"company-refused-{lang}")
    page.fill("input[name=siren]", "732 829 320")
    page.fill("input[name=vat_number]", "FR44732829320")
    page.click("#save-settings")
    page.wait_for_selector("p.ok")
    assert WORDS[lang]["saved"] in page.inner_text("p.ok")
    no_english(page, lang)
    shot(page, f"company-saved-{lang}")
    saved = tomllib.loads((server.data_dir / "company.toml").read_text())
    assert saved["name"] == f"Tuiles Dupont {lang.upper()}" and saved["siren"] == "732829320"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_change_a_scenario(server: Server, browser: Browser, lang: str) -> None:  # noqa: F811
    page = signed_in(browser, server.base, person("admin", lang))
    page.goto(f"{server.base}/admin/settings/scenarios")
    shot(page, f"scenarios-{lang}")
    page.click("a[href='/admin/settings/scenarios/default_fr_b2b']")
    offset = "8" if lang == "fr" else "9"
    page.fill("input[name=steps-1-offset_days]", offset)
    page.click("#save-scenario")
    page.wait_for_selector("p.ok")
    no_english(page, lang)
    shot(page, f"scenario-saved-{lang}")
    saved = tomllib.loads((server.data_dir / "scenarios" / "default_fr_b2b.toml").read_text())
    assert saved["steps"][1]["key"] == "reminder" and saved["steps"][1]["offset_days"] == int(offset)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_send_an_smtp_test_email(server: Server, browser: Browser, lang: str) -> None:  # noqa: F811
    page = signed_in(browser, server.base, person("admin", lang))
    page.goto(f"{server.base}/admin/settings/smtp")
    page.fill("input[name=host]", "127.0.0.1")
    page.fill("input[name=port]", server.smtp.url.rsplit(":", 1)[1])
    page.select_option("select[name=security]", "none")
    page.fill("input[name=sender]", "relances@tuiles-dupont.fr")
    page.fill("input[name=recipient]", f"essai-{lang}@tuiles-dupont.fr")
    before = len(server.smtp.collector.received)
    page.click("#send-test")
    page.wait_for_selector("#smtp-result")
    assert WORDS[lang]["sent"] in page.inner_text("#smtp-result")
    no_english(page, lang)
    shot(page, f"smtp-test-{lang}")
    received = server.smtp.collector.received[before:]
    assert [r.recipients for r in received] == [(f"essai-{lang}@tuiles-dupont.fr",)]


def _open_user(page: Page, base: str, login: str) -> None:
    page.goto(f"{base}/admin/users")
    page.click(f"a:text-is('{login}')")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_deactivate_a_user_their_session_dies(server: Server, browser: Browser, lang: str) -> None:  # noqa: F811
    victim = signed_in(browser, server.base, person("collector", lang))
    victim.goto(f"{server.base}/worklist")
    assert "/worklist" in victim.url
    admin = signed_in(browser, server.base, person("admin", lang))
    _open_user(admin, server.base, person("collector", lang))
    admin.uncheck("input[name=active]")
    admin.click("#save-user")
    admin.wait_for_selector("p.ok")
    no_english(admin, lang)
    shot(admin, f"user-deactivated-{lang}")
    victim.goto(f"{server.base}/worklist")
    assert "/login" in victim.url  # their session ended
    shot(victim, f"deactivated-user-sent-to-login-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reset_a_password(server: Server, browser: Browser, lang: str) -> None:  # noqa: F811
    admin = signed_in(browser, server.base, person("admin", lang))
    _open_user(admin, server.base, person("sales", lang))
    admin.click("#reset-password")
    link = admin.inner_text("#reset-link")
    no_english(admin, lang)
    shot(admin, f"reset-link-{lang}")
    user = browser.new_context(locale="fr-FR" if lang == "fr" else "en-GB").new_page()
    user.goto(link)
    user.fill("input[name=new_password]", "password1234")
    user.click("#set-password")
    assert user.locator("p.error").count() == 1  # the policy applies
    shot(user, f"reset-weak-password-{lang}")
    user.fill("input[name=new_password]", NEW_PASSWORD)
    user.click("#set-password")
    user.wait_for_url(re.compile(r".*/login.*"))
    signed_in(browser, server.base, person("sales", lang), NEW_PASSWORD)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_import_a_file_with_a_bad_line(server: Server, browser: Browser, tmp_path: Path, lang: str) -> None:  # noqa: F811
    customers = tmp_path / f"clients-{lang}.csv"
    customers.write_text(f"customer_id,name\nB{lang}1,Électricité Ardoise\nB{lang}2,Bois du Nord\n")
    invoices = tmp_path / f"factures-{lang}.csv"
    invoices.write_text(
        "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
        f"{lang}-1,B{lang}1,2026-09-01,2026-10-01,1200.00,EUR\n"
        f"{lang}-2,B{lang}2,2026-09-31,2026-10-02,300.00,EUR\n"
    )
    page = signed_in(browser, server.base, person("admin", lang))
    page.goto(f"{server.base}/admin/import")
    page.set_input_files("input[name=files]", [str(customers), str(invoices)])
    page.click("#start-import")
    page.wait_for_selector("#job-status[data-status=done]", timeout=60_000)
    assert WORDS[lang]["refused"] in page.inner_text("main")
    cells = page.locator("#import-errors tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == [invoices.name, "3", "issue_date"]
    assert cells[3].startswith("date invalide '2026-09-31'" if lang == "fr" else "invalid date '2026-09-31'")
    assert customers.name in page.inner_text("#imported")
    shot(page, f"import-bad-line-{lang}")
    page.goto(f"{server.base}/help")
    shot(page, f"help-{lang}")
