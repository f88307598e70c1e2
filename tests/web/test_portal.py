"""The customer portal: one customer's open invoices only; bad or expired links show nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from tests.conftest import invoke
from typer.testing import CliRunner

from encours.domain.creditor_reference import customer_reference, invoice_reference
from encours.web.app import create_app
from encours.web.portal.links import make_token

A, B = "C00005", "C00006"


def _invoice_ids(client: TestClient, headers: dict[str, str], customer_id: str) -> set[str]:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    items = client.get(f"/api/v1/customers/{customer_id}/invoices", params={"as_of": today}, headers=headers)
    return {i["invoice_id"] for i in items.json() if float(i["open_amount"]) > 0}


def _link(cli: CliRunner, url: str, customer_id: str, *extra: str) -> str:
    code, out, err = invoke(cli, "portal", "link", customer_id, "--db", url, *extra)
    assert code == 0, err
    return out.strip().splitlines()[-1]


def test_cli_link_opens_that_customers_invoices_only(
    web_url: str, cli: CliRunner, tokens: dict[str, dict[str, str]], app_client: TestClient
) -> None:
    path = _link(cli, web_url, A)
    assert path.startswith("/portal/")
    mine, theirs = _invoice_ids(app_client, tokens["admin"], A), _invoice_ids(app_client, tokens["admin"], B)
    assert mine and theirs
    with TestClient(create_app(web_url)) as fresh:  # another app instance, no cookie
        page = fresh.get(path)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert all(invoice in page.text for invoice in mine)
    assert not any(invoice in page.text for invoice in theirs)
    assert "set-cookie" not in page.headers


def test_absolute_link_with_base_url(web_url: str, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCOURS_BASE_URL", "https://ar.example.com/")
    url = _link(cli, web_url, A, "--days", "3")
    assert url.startswith("https://ar.example.com/portal/")


def test_tampered_and_expired_links_show_no_customer_data(app_client: TestClient, web_url: str) -> None:
    secret = app_client.app.state.keys.portal  # type: ignore[attr-defined]
    good = make_token(secret, A, 5)
    name_page = app_client.get(f"/portal/{good}")
    assert name_page.status_code == 200
    tampered = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    expired = make_token(secret, A, 1, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    forged = make_token("another key", A, 5)
    for token in (tampered, expired, forged, "garbage", good + "x"):
        response = app_client.get(f"/portal/{token}")
        assert response.status_code in (403, 404)
        assert A not in response.text and "F0" not in response.text
        assert app_client.get(f"/portal/{token}/statement.pdf").status_code in (403, 404)


def test_portal_cannot_touch_another_customers_invoice(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    secret = app_client.app.state.keys.portal  # type: ignore[attr-defined]
    token = make_token(secret, A, 5)
    other = sorted(_invoice_ids(app_client, tokens["admin"], B))[0]
    refused = app_client.post(f"/portal/{token}/dispute", data={"invoice_id": other, "message": "not ours"})
    assert refused.status_code == 422
    own = sorted(_invoice_ids(app_client, tokens["admin"], A))[0]
    accepted = app_client.post(
        f"/portal/{token}/dispute",
        data={"invoice_id": own, "message": "wrong quantity"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    soon = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)).isoformat()
    promise = app_client.post(
        f"/portal/{token}/promise", data={"date": soon, "amount": "10.00"}, follow_redirects=False
    )
    assert promise.status_code == 303
    timeline = app_client.get(f"/api/v1/customers/{A}/timeline", headers=tokens["admin"]).json()
    kinds = {e["kind"] for e in timeline if e["actor"] == f"portal:{A}"}
    assert {"dispute", "promise"} <= kinds
    disputes = app_client.get("/api/v1/disputes", params={"customer_id": A}, headers=tokens["sales"]).json()
    assert [d["invoice"] for d in disputes] == [own]
    assert all(d["customer_id"] == A for d in disputes)
    bad = app_client.post(f"/portal/{token}/payment", data={"amount": "-5", "date": "2026-11-01"})
    assert bad.status_code == 422


def test_statement_pdf_is_a_text_pdf_of_open_invoices(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    import io

    from pypdf import PdfReader

    token = make_token(app_client.app.state.keys.portal, A, 5)  # type: ignore[attr-defined]
    response = app_client.get(f"/portal/{token}/statement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert all(invoice in text for invoice in _invoice_ids(app_client, tokens["admin"], A))


def test_portal_prints_the_payment_references(app_client: TestClient) -> None:
    secret = app_client.app.state.keys.portal  # type: ignore[attr-defined]
    page = app_client.get(f"/portal/{make_token(secret, A, 5)}")
    assert page.status_code == 200 and customer_reference(A) in page.text
    numbers = [cell.split("<", 1)[0] for cell in page.text.split('<td class="invoice-id">')[1:]]
    assert numbers and all(invoice_reference(number) in page.text for number in numbers)
