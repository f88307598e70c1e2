"""Every refusal a person can cause from a screen reads French on a French page and English on
an English one: casework, boards, the worklist's bulk actions, dunning, users and passwords,
the import upload, the cash screen, templates and typed dates and amounts.

Each case is posted twice, by a French admin and an English one, on the same copy of the demo;
the refusal shown (the marked field's message, the alert or the error page) must name what to
fix in the reader's language: the French one has no English word (the French-completeness
crawler's list) and says the expected French words, the English one says the service's English.
"""

# ruff: noqa: E501 -- one refusal per row of the table reads better than wrapped rows

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from tests.conftest import DEMO_UNTIL
from tests.web.conftest import PASSWORD, browser_login, csrf_of
from tests.web.test_french_only import ACTED, ADDRESS, EMAIL, ENGLISH, FILE_NAME, WORD, record_casework

from encours.casework.promises import list_promises
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService
from encours.web.app import create_app

DAY = DEMO_UNTIL.isoformat()
SHEET = f"/customers/{ACTED}?as_of={DAY}"
ENGLISH_ADMIN = "admin-en@encours.test"


class Facts(NamedTuple):
    """What the cases need from the demo copy: an invoice, a closed promise, a dispute, a user."""

    invoice: str
    promise: str  # marked broken by record_casework: closed
    dispute: str
    user_id: str


Signed = dict[str, tuple[TestClient, str, Facts]]  # language: (client, CSRF token, facts)


class Case(NamedTuple):
    name: str
    path: Callable[[Facts], str]
    form: Callable[[Facts], dict[str, object]]
    french: str  # words the French refusal says
    english: str  # words the English refusal says
    files: dict[str, tuple[str, bytes]] | None = None


def at(path: str) -> Callable[[Facts], str]:
    return lambda facts: path


def sheet_form(**fields: object) -> Callable[[Facts], dict[str, object]]:
    return lambda facts: {"back": SHEET, "as_of": DAY, **fields}


CASES = [
    Case("ambiguous amount", at(f"/customers/{ACTED}/actions"), sheet_form(kind="promise", amount="1,234", promised_date="2026-11-20"),
         "montant ambigu", "ambiguous amount"),
    Case("unreadable amount", at(f"/customers/{ACTED}/promise"),
         lambda f: {"back": SHEET, "as_of": DAY, "amount": "douze", "promised_date": "2026-11-20", "invoice_ids": [f.invoice]},
         "montant illisible", "invalid amount"),
    Case("promise a year away", at(f"/customers/{ACTED}/promise"),
         lambda f: {"back": SHEET, "as_of": DAY, "amount": "10", "promised_date": "2029-01-05", "invoice_ids": [f.invoice]},
         "plus d'un an", "more than a year"),
    Case("promise above the debt", at(f"/customers/{ACTED}/promise"),
         lambda f: {"back": SHEET, "as_of": DAY, "amount": "900 000", "promised_date": "2026-11-20", "invoice_ids": [f.invoice]},
         "dépasse ce que doivent", "exceeds what the covered invoices owe"),
    Case("unreadable date", at(f"/customers/{ACTED}/actions"), sheet_form(kind="promise", amount="10", promised_date="demain"),
         "date illisible", "not a date"),
    Case("dispute without invoice", at(f"/customers/{ACTED}/actions"), sheet_form(kind="dispute", text="livraison"),
         "facture contestée", "name the disputed invoice"),
    Case("dispute without reason", at(f"/customers/{ACTED}/actions"), lambda f: {"back": SHEET, "as_of": DAY, "kind": "dispute", "invoice_id": f.invoice},
         "motif de la contestation", "a dispute needs a reason"),
    Case("empty note", at(f"/customers/{ACTED}/actions"), sheet_form(kind="note", text=" "), "la note est vide", "empty note"),
    Case("assign to a stranger", at(f"/customers/{ACTED}/actions"), sheet_form(kind="assign", assignee=""),
         "à qui confier", "empty assignee"),
    Case("plan of no instalment", at(f"/customers/{ACTED}/plan"),
         lambda f: {"back": SHEET, "as_of": DAY, "count": "0", "first_due": "2026-11-30", "invoice_ids": [f.invoice]},
         "supérieur ou égal à 1", "greater than or equal to 1"),
    Case("invoices in a plan already", at(f"/customers/{ACTED}/plan"), sheet_form(count="3", first_due="2026-11-30"),
         "déjà dans un échéancier", "already in an active payment plan"),
    Case("task for a stranger", at("/tasks"),
         lambda f: {"back": "/tasks", "customer_id": ACTED, "kind": "call", "due_date": "2026-11-05", "assignee": "personne@ailleurs.test"},
         "n'est pas un utilisateur", "is not a user of Encours"),
    Case("task on a date out of range", at("/tasks"),
         lambda f: {"back": "/tasks", "customer_id": ACTED, "kind": "call", "due_date": "2200-01-01"},
         "une date entre", "a date between"),
    Case("closed promise", lambda f: f"/promises/{f.promise}/outcome", lambda f: {"back": "/promises", "outcome": "kept", "as_of": DAY},
         "est déjà rompue", "is already broken"),
    Case("resolution left empty", lambda f: f"/disputes/{f.dispute}/resolve", lambda f: {"back": "/disputes", "resolution": " "},
         "comment la contestation", "say how the dispute ended"),
    Case("bulk without customer", at("/worklist/bulk"), lambda f: {"back": "/worklist", "action": "pause", "until": "2026-12-31"},
         "au moins un client", "tick at least one customer"),
    Case("bulk pause in the past", at("/worklist/bulk"),
         lambda f: {"back": "/worklist", "action": "pause", "until": "2001-01-01", "customer_ids": [ACTED], "as_of": DAY},
         "à partir d'aujourd'hui", "from today on"),
    Case("dunning pause in the past", at(f"/customers/{ACTED}/dunning-pause"), lambda f: {"back": SHEET, "until": "2001-01-01"},
         "précède aujourd'hui", "is before"),
    Case("dunning pause without a day", at(f"/customers/{ACTED}/dunning-pause"), lambda f: {"back": SHEET, "until": "bientôt"},
         "une date est attendue", "a date written YYYY-MM-DD"),
    Case("dunning run without a day", at("/dunning/runs"), lambda f: {"back": "/dunning", "as_of": "hier", "dry_run": "true"},
         "une date est attendue", "a date written YYYY-MM-DD"),
    Case("saved view of a long name", at("/worklist/views"), lambda f: {"back": "/worklist", "name": "v" * 81},
         "80 caractères au plus", "at most 80 characters"),
    Case("short password", lambda f: "/account/password", lambda f: {"current_password": PASSWORD, "new_password": "court"},
         "trop court", "password too short"),
    Case("guessable password", lambda f: "/account/password", lambda f: {"current_password": PASSWORD, "new_password": "password1234"},
         "trop facile à deviner", "too easy to guess"),
    Case("wrong current password", lambda f: "/account/password", lambda f: {"current_password": "pas-le-bon", "new_password": "Pivoine-grenier-7741-fjord"},
         "mot de passe actuel est incorrect", "the current password is wrong"),
    Case("user with a weak password", at("/admin/users"), lambda f: {"back": "/admin/users", "email": "nouvelle@encours.test", "role": "collector", "password": "azerty"},
         "trop court", "password too short"),
    Case("user that exists", at("/admin/users"), lambda f: {"back": "/admin/users", "email": "collector@encours.test", "role": "collector", "password": "Pivoine-grenier-7741-fjord"},
         "existe déjà", "already exists"),
    Case("cash without a tick", at("/cash/receipts/1/allocate"), lambda f: {"back": "/cash", "invoices": [f.invoice], "amounts": ["10"]},
         "au moins une facture", "tick at least one invoice"),
    Case("unknown customer", at("/customers/NULLEPART/dunning-pause"), lambda f: {"until": "2026-12-31"},
         "client inconnu", "unknown customer"),
    Case("import of nothing", at("/admin/import"), lambda f: {}, "choisissez au moins un fichier", "Choose at least one file",
         files={"files": ("", b"")}),
    Case("broken template", at("/dunning/templates/fr/email/reminder.txt"), lambda f: {"text": "Bonjour {{ client"},
         "erreur de syntaxe", "syntax error"),
]  # fmt: skip


def refusal_shown(page: str) -> str:
    """The refusal as the page shows it: the marked field's message, else its alerts and errors."""
    tree = lxml_html.document_fromstring(page)
    said = tree.xpath(
        "//*[contains(@class, 'field-error')] | //*[@role='alert'] | //*[contains(@class, 'error')]"
    )
    return " ".join(" ".join(element.text_content().split()) for element in said)


@pytest.fixture(scope="module")
def clients(web_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signed]:
    """A French and an English admin on one copy of the demo with casework recorded."""
    copy = tmp_path_factory.mktemp("refusals") / "encours.db"
    with sqlite3.connect(web_url.removeprefix("sqlite:///")) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    with unit_of_work(get_engine(url)) as session:
        UserService(session).create(ENGLISH_ADMIN, "admin", PASSWORD, actor="test", language="en")
    with TestClient(create_app(url)) as french, TestClient(create_app(url)) as english:
        csrf = browser_login(french, "admin")
        record_casework(french, csrf)
        sheet = french.get(SHEET).text
        invoice = re.findall(r'name="invoice_ids" value="([^"]+)"', sheet)[0]
        broken = re.search(r'action="/disputes/(\d+)/resolve"', french.get("/disputes").text)
        users = re.findall(r'href="/admin/users/(\d+)"', french.get("/admin/users").text)
        assert broken and users, "the demo copy has no dispute or user to refuse"
        with unit_of_work(get_engine(url)) as session:
            done = [
                str(p.promise_id) for p in list_promises(session, customer_id=ACTED) if p.status == "broken"
            ]
        assert done, "no broken promise"
        facts = Facts(invoice, done[0], broken[1], users[0])
        login = {
            "email": ENGLISH_ADMIN,
            "password": PASSWORD,
            "next": "/",
            "csrf_token": csrf_of(english.get("/login").text),
        }
        english.post("/login", data=login)
        english_csrf = re.search(r'name="csrf_token" value="([^"]+)"', english.get("/customers").text)
        assert english_csrf, "the English admin could not sign in"
        yield {"fr": (french, csrf, facts), "en": (english, english_csrf[1], facts)}
    get_engine(url).dispose()


def refused(clients: Signed, case: Case, language: str) -> str:
    client, csrf, facts = clients[language]
    back = str(case.form(facts).get("back", ""))
    if back:
        client.get(back)  # the page the form is on, as a person opens it first
    response = client.post(
        case.path(facts), data={"csrf_token": csrf, **case.form(facts)}, files=case.files,
        headers={"referer": f"http://testserver{back}"} if back else {}, follow_redirects=False,
    )  # fmt: skip
    assert 400 <= response.status_code < 500, (case.name, response.status_code)
    assert f'<html lang="{language}"' in response.text, case.name
    shown = refusal_shown(response.text)
    assert shown, f"{case.name}: no refusal on the page"
    return shown


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_french_page_says_the_refusal_in_french(clients: Signed, case: Case) -> None:
    shown = refused(clients, case, "fr")
    words = WORD.findall(FILE_NAME.sub(" ", ADDRESS.sub(" ", EMAIL.sub(" ", shown))))  # as the crawler reads
    english = sorted({w.lower() for w in words} & ENGLISH)
    assert not english, f"{case.name}: English words {english} in {shown!r}"
    assert case.french in shown, f"{case.name}: {shown!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_english_page_says_the_refusal_in_english(clients: Signed, case: Case) -> None:
    shown = refused(clients, case, "en")
    assert case.english in shown, f"{case.name}: {shown!r}"


def test_the_dashboard_alerts_use_each_languages_punctuation(clients: Signed) -> None:
    """An alert line reads "DSO (…) : 138,3 (seuil 90,0)" in French with narrow no-break spaces,
    "DSO (…): 138.3 (threshold 90.0)" in English, with no French space before a colon or a %."""
    for language, (client, _, _) in clients.items():
        page = client.get(f"/?as_of={DAY}").text
        alerts = [
            " ".join(a.text_content().split(" "))
            for a in lxml_html.fromstring(page).xpath("//p[contains(@class, 'alert')]")
        ]
        assert alerts, f"no alert on the {language} dashboard"
        for alert in alerts:
            if language == "en":
                assert not re.search(r"[ \u00a0\u202f][:;%]", alert), alert
            else:
                assert "\u202f:" in alert and not re.search(r" [:;%]", alert), alert
