"""French pages contain no English: every screen a French user can open, crawled as they would.

Each page's visible text (scripts, styles and e-mail addresses left out; customer data is the
demo's French names) is split into words and compared with English words of the interface
that are not also French words. A page that leaks one names the page and the words.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from tests.conftest import DEMO_UNTIL
from tests.web.conftest import browser_login

from encours.storage.database import get_engine
from encours.web.app import create_app

# English words of an interface that French does not share (note, plan, date, total, message,
# contact, segment, client, action, type, description, page, score, e-mail, notifications are
# French too)
ENGLISH = frozenset(
    """
    the and with of to for from by on at is are was not no yes none all any invoice invoices promise
    promises overdue days day added made open opened closed status step amount amounts customer
    customers reason critical warning expected loss avoided call calls task tasks due paid broken
    kept pending failed sent delivered reminder reminders dispute disputes plans settings user users
    save cancel search export edit delete resolve resolved assign assigned assignee owner created
    updated since until today tomorrow week weeks month months outstanding limit credit risk
    forecast worklist dashboard sign out in new next previous back help import imports job jobs
    queued running done litigation handed over hold letter letters statement
    statements preview approve run runs history template templates scenario scenarios company
    thresholds password role roles active inactive collector sales manager admin unread mark read
    payment payments received issued planned logged instalment instalments grace placed released
    """.split()  # noqa: SIM905 (one word list, kept compact)
)  # fmt: skip
SKIPPED_PREFIXES = ("/api/", "/portal/", "/docs", "/openapi", "/vendor", "/static", "/healthz", "/metrics")
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
EMAIL = re.compile(r"\S+@\S+")
FILE_NAME = re.compile(r"[\w./-]+\.(?:txt|html|toml|csv|xlsx|pdf|eml|json)\b")  # a file's name is no word
ADDRESS = re.compile(r"https?://\S+")  # nor is a web address (a payment link's pattern)


def visible_texts(page: str) -> list[str]:
    """The text a user reads or hears: text nodes, placeholders, titles, labels and buttons."""
    tree = lxml_html.fromstring(page)
    # code is not interface text: a template or scenario being edited, in either language
    for node in tree.xpath("//script|//style|//noscript|//*[@hidden]|//template|//textarea|//pre|//code"):
        node.drop_tree()
    texts = tree.xpath("//text()") + tree.xpath(
        "//@placeholder|//@title|//@aria-label|//input[@type='submit']/@value"
    )
    return [
        " ".join(FILE_NAME.sub(" ", ADDRESS.sub(" ", EMAIL.sub(" ", str(text)))).split()) for text in texts
    ]


def words_from(page: str, vocabulary: frozenset[str]) -> dict[str, str]:
    """Each word of ``vocabulary`` the page shows, with the text it was found in."""
    found: dict[str, str] = {}
    for text in visible_texts(page):
        for word in WORD.findall(text):
            if word.lower() in vocabulary:
                found.setdefault(word.lower(), text[:60])
    return found


def links(page: str) -> list[str]:
    return [str(href) for href in lxml_html.fromstring(page).xpath("//a/@href")]


def crawl(client: TestClient, starts: list[str], limit: int = 80) -> Iterator[tuple[str, str]]:
    """(path, html) of every screen reachable by links from ``starts``, one page per path
    (the first customer sheet and board entry stand for the others)."""
    queue, seen = list(starts), {urlsplit(start).path for start in starts}
    shapes = {re.sub(r"/[^/]*\d[^/]*", "/N", path) for path in seen}
    while queue and len(seen) <= limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        yield path, response.text
        for href in links(response.text):
            target = urlsplit(href)
            if target.netloc or not target.path.startswith("/") or target.path.startswith(SKIPPED_PREFIXES):
                continue
            if target.path.endswith((".csv", ".xlsx", ".pdf", ".eml")) or target.path == "/logout":
                continue
            shape = re.sub(r"/[^/]*\d[^/]*", "/N", target.path)  # /customers/C00001 ~ /customers/C00002
            if target.path not in seen and shape not in shapes:
                seen.add(target.path)
                shapes.add(shape)
                queue.append(target.path + (f"?{target.query}" if target.query else ""))


ACTED = "C00004"  # a customer with an overdue invoice, on which every kind of casework is recorded


def record_casework(client: TestClient, csrf: str) -> None:
    """Notes, calls, promises, a dispute, a plan, a task and an assignment on one customer, and
    a promise marked broken: their timeline lines and boards must read French too."""
    sheet = client.get(f"/customers/{ACTED}?as_of={DEMO_UNTIL.isoformat()}").text
    invoices = re.findall(r'name="invoice_ids" value="([^"]+)"', sheet)
    assert invoices, "the acted customer owes nothing"
    at = {"csrf_token": csrf, "as_of": DEMO_UNTIL.isoformat()}
    actions = f"/customers/{ACTED}/actions"
    posts = [
        (actions, {"kind": "note", "text": "rappeler jeudi", "invoice_id": invoices[0]}),
        (actions, {"kind": "call", "text": "le comptable est absent"}),
        (actions, {"kind": "promise", "amount": "1 000,50", "promised_date": "2026-11-15"}),
        (actions, {"kind": "dispute", "invoice_id": invoices[-1], "text": "livraison incomplète"}),
        (actions, {"kind": "assign", "assignee": "collector@encours.test"}),
        (f"/customers/{ACTED}/promise", {"amount": "500", "promised_date": "2026-11-20",
                                          "invoice_ids": invoices[:1]}),
        (f"/customers/{ACTED}/plan", {"count": "3", "first_due": "2026-11-30", "invoice_ids": invoices[:1]}),
        ("/tasks", {"customer_id": ACTED, "kind": "call", "due_date": "2026-11-05", "title": "relance"}),
    ]  # fmt: skip
    for target, form in posts:
        response = client.post(target, data={**at, **form}, follow_redirects=False)
        assert response.status_code == 303, (target, re.findall(r"class=\"error\">([^<]*)", response.text))
    promise = re.search(r'action="/promises/(\d+)/outcome"', client.get("/promises").text)
    assert promise, "no promise on the board"
    broken = client.post(f"/promises/{promise[1]}/outcome", data={**at, "outcome": "broken"})
    assert broken.status_code == 200


@pytest.fixture(scope="module")
def french_client(web_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The French admin (who sees every screen) on a copy of the demo with casework recorded."""
    copy = tmp_path_factory.mktemp("french") / "encours.db"
    with sqlite3.connect(web_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    with TestClient(create_app(url)) as client:
        record_casework(client, browser_login(client, "admin"))
        yield client
    get_engine(url).dispose()


def test_french_pages_contain_no_english(french_client: TestClient) -> None:
    leaks: dict[str, list[str]] = {}
    seen = 0
    starts = [f"/?as_of={DEMO_UNTIL.isoformat()}", f"/customers/{ACTED}?as_of={DEMO_UNTIL.isoformat()}"]
    for path, page in crawl(french_client, starts):
        seen += 1
        assert '<html lang="fr"' in page, path
        english = words_from(page, ENGLISH)
        if english:
            leaks[path] = [f"{word} ({where!r})" for word, where in sorted(english.items())]
    assert seen >= 8, f"only {seen} French pages answered"
    assert not leaks, "English on French pages:\n" + "\n".join(
        f"{p}: {', '.join(w)}" for p, w in leaks.items()
    )


# French interface words an English page must not show (the mirror check, short: customers' own
# names and notes are French in the demo, so only words of the interface are listed)
FRENCH = frozenset(
    """
    facture factures relance relances échéance échéances montant montants tâche tâches promesse
    promesses contestation contestations paramètres utilisateur utilisateurs enregistrer annuler
    rechercher retard échu échus appel créer semaine mois jours aujourd'hui tenue reçu émise
    paiement paiements avoir échéancier tableau âgée déconnexion
    """.split()  # noqa: SIM905 (one word list, kept compact)
)  # fmt: skip


def test_english_pages_contain_no_french_interface_words(web_url: str) -> None:
    with TestClient(create_app(web_url)) as client:
        browser_login(client, "sales")  # the English user
        leaks: dict[str, list[str]] = {}
        seen = 0
        for path, page in crawl(client, [f"/?as_of={DEMO_UNTIL.isoformat()}"]):
            seen += 1
            assert '<html lang="en"' in page, path
            french = words_from(page, FRENCH)
            if french:
                leaks[path] = [f"{word} ({where!r})" for word, where in sorted(french.items())]
    assert seen >= 5, f"only {seen} English pages answered"
    assert not leaks, "French on English pages:\n" + "\n".join(
        f"{p}: {', '.join(w)}" for p, w in leaks.items()
    )
