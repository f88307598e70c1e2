"""A refused form comes back filled in, its faulty field marked and the reason beside it, in
the user's language; French amounts are accepted in every amount field of the screens."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from lxml import html as lxml_html
from tests.web.conftest import AS_OF, browser_login

from encours.casework.promises import list_promises
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import create_app
from encours.web.ui.charts import localised_charts

CID = "C00004"
SHEET = f"/customers/{CID}?as_of={AS_OF}"


def posted_form(page: str, form_id: str) -> lxml_html.HtmlElement:
    [form] = lxml_html.fromstring(page).xpath("//form[@id=$id]", id=form_id)
    return form


def test_a_bad_amount_brings_the_sheet_back_with_the_promise_form_filled_and_marked(
    own_url: str,
) -> None:
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")  # a French user
        sheet = client.get(SHEET).text
        invoices = re.findall(r'name="invoice_ids" value="([^"]+)"', sheet)
        typed = {"csrf_token": csrf, "back": SHEET, "as_of": AS_OF, "amount": "12,3,4",
                 "promised_date": "2026-11-20", "note": "le gérant rappellera",
                 "invoice_ids": invoices[:1]}  # fmt: skip
        refused = client.post(f"/customers/{CID}/promise", data=typed)
        assert refused.status_code == 422
        assert '<html lang="fr"' in refused.text
        form = posted_form(refused.text, "promise-form")
        [amount] = form.xpath(".//input[@name='amount']")
        assert amount.get("value") == "12,3,4" and amount.get("aria-invalid") == "true"
        [said] = form.xpath(".//*[@id=$id]", id=amount.get("aria-describedby"))
        assert "montant illisible" in said.text_content() and "1 234,56" in said.text_content()
        assert form.xpath(".//input[@name='note']/@value") == ["le gérant rappellera"]
        assert form.xpath(".//input[@name='promised_date']/@value") == ["2026-11-20"]
        ticked = form.xpath(".//input[@name='invoice_ids'][@checked]/@value")
        assert ticked == invoices[:1]  # the ticks as posted, not the page's default (all ticked)
        other = posted_form(refused.text, "plan-form")  # the other forms are left as they were
        assert not other.xpath(".//*[@aria-invalid]")
        # the same form, corrected, is accepted: a French amount with a space and a comma
        done = client.post(
            f"/customers/{CID}/promise", data={**typed, "amount": "1 234,56"}, follow_redirects=False
        )
        assert done.status_code == 303
    with unit_of_work(get_engine(own_url)) as session:
        assert [str(p.amount) for p in list_promises(session, customer_id=CID)] == ["1234.56"]


def test_every_sheet_form_says_what_to_fix_next_to_the_field(own_url: str) -> None:
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")
        base = {"csrf_token": csrf, "back": SHEET, "as_of": AS_OF}
        actions = f"/customers/{CID}/actions"
        cases = [  # (address, form, the field to be marked)
            (actions, {"kind": "promise", "amount": "", "promised_date": "2026-11-20"}, "amount"),
            (actions, {"kind": "dispute", "invoice_id": "", "text": "abîmé"}, "invoice_id"),
            (actions, {"kind": "promise", "amount": "10", "promised_date": "demain"}, "promised_date"),
            (f"/customers/{CID}/plan", {"count": "99", "first_due": "2026-11-30"}, "count"),
            (f"/customers/{CID}/plan", {"count": "3", "first_due": "3000-01-01"}, "first_due"),
            ("/tasks", {"customer_id": CID, "kind": "call", "due_date": "1800-01-01"}, "due_date"),
        ]  # fmt: skip
        for address, form, field in cases:
            refused = client.post(address, data={**base, **form})
            assert refused.status_code == 422, (address, form)
            tree = lxml_html.fromstring(refused.text)
            [marked] = tree.xpath("//*[@aria-invalid='true']") or [None]
            assert marked is not None and marked.get("name") == field, (address, form, refused.text[:300])
            assert marked.get("value", form[field]) == form[field]  # what was typed is kept
            [said] = tree.xpath("//*[@id=$id]", id=marked.get("aria-describedby"))
            words = said.text_content()
            assert words and not re.search(r"\b(not|the|invoice|amount|got|should|must)\b", words), words


def test_an_english_user_reads_the_reason_in_english(own_url: str) -> None:
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "sales")  # English; may comment only: a note is their form
        refused = client.post(
            f"/customers/{CID}/promise",
            data={"csrf_token": csrf, "back": SHEET, "amount": "x", "promised_date": "2026-11-20"},
        )
        assert refused.status_code in (403, 422)  # the sales role may not promise: a plain refusal
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "credit_manager")
        client.post("/settings/language", data={"csrf_token": csrf, "language": "en"})
        refused = client.post(
            f"/customers/{CID}/actions",
            data={"csrf_token": csrf, "back": SHEET, "kind": "promise", "amount": "1,234",
                  "promised_date": "2026-11-20"},
        )  # fmt: skip
        assert refused.status_code == 422 and '<html lang="en"' in refused.text
        [marked] = lxml_html.fromstring(refused.text).xpath("//*[@aria-invalid='true']")
        assert marked.get("value") == "1,234"
        assert "ambiguous amount" in refused.text


def test_a_refusal_without_a_page_to_return_to_is_the_plain_error_page(own_url: str) -> None:
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")
        refused = client.post(
            f"/customers/{CID}/promise", data={"csrf_token": csrf, "amount": "", "promised_date": ""}
        )
        assert refused.status_code == 422 and 'class="error"' in refused.text


def test_the_dso_trend_names_months_in_the_readers_language() -> None:
    charts = {"trend": {"dates": ["2026-01-31", "2026-02-28"], "dso": [40.0, 42.5], "threshold": 45}}
    assert localised_charts(charts, "fr")["trend"]["months"] == ["janv. 2026", "févr. 2026"]
    assert localised_charts(charts, "en")["trend"]["months"] == ["Jan 2026", "Feb 2026"]
    assert localised_charts({"trend": None}, "fr")["trend"] is None


def test_the_quick_promise_of_the_sheet_reads_every_way_of_typing_an_amount(own_url: str) -> None:
    typed = {"C00004": "1 000,50", "C00011": "1000,50", "C00001": "1 000.50"}
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")
        for cid, amount in typed.items():
            form = {"csrf_token": csrf, "kind": "promise", "amount": amount, "promised_date": "2026-11-20",
                    "as_of": AS_OF}  # fmt: skip
            made = client.post(f"/customers/{cid}/actions", data=form, follow_redirects=False)
            assert made.status_code == 303, (amount, made.text[:300])
    with unit_of_work(get_engine(own_url)) as session:
        for cid in typed:
            assert [p.amount for p in list_promises(session, customer_id=cid)] == [Decimal("1000.50")], cid
