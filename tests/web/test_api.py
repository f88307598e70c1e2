"""The JSON API (SPEC §9): tokens, 401 everywhere without one, customers, invoices, figures."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from tests.conftest import invoke
from tests.web.conftest import AS_OF, PASSWORD, email
from typer.testing import CliRunner


def test_token_is_issued_for_the_right_password_only(app_client: TestClient) -> None:
    good = app_client.post("/api/v1/auth/token", data={"username": email("sales"), "password": PASSWORD})
    assert good.status_code == 200
    body = good.json()
    assert body["token_type"] == "bearer" and body["access_token"]
    bad = app_client.post(
        "/api/v1/auth/token", data={"username": email("sales"), "password": "wrong password"}
    )
    assert bad.status_code == 401
    assert "access_token" not in bad.json()


def _concrete(path: str) -> str:
    return path.replace("{customer_id}", "C00001")


def test_every_api_route_but_the_token_answers_401_without_credentials(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    checked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/") or path == "/api/v1/auth/token":
            continue
        for method in operations:
            response = app_client.request(method.upper(), _concrete(path) + f"?as_of={AS_OF}")
            assert response.status_code == 401, (method, path, response.status_code)
            forged = app_client.request(
                method.upper(), _concrete(path), headers={"Authorization": "Bearer enc_forged"}
            )
            assert forged.status_code == 401, (method, path)
            checked += 1
    assert checked >= 8
    assert app_client.get("/api/v1/no-such-route").status_code == 401


def test_customers_are_paginated_and_searchable(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    headers = tokens["sales"]
    first = app_client.get("/api/v1/customers", params={"limit": 7, "as_of": AS_OF}, headers=headers).json()
    second = app_client.get(
        "/api/v1/customers", params={"limit": 7, "offset": 7, "as_of": AS_OF}, headers=headers
    ).json()
    assert first["total"] == second["total"] == 40
    ids = [c["customer_id"] for c in first["items"] + second["items"]]
    assert len(ids) == 14 and len(set(ids)) == 14 and ids == sorted(ids)
    name = first["items"][3]["name"]
    found = app_client.get("/api/v1/customers", params={"q": name.upper()}, headers=headers).json()
    assert name in [c["name"] for c in found["items"]]
    assert app_client.get("/api/v1/customers", params={"limit": 0}, headers=headers).status_code == 422


def _cli_json(cli: CliRunner, url: str, command: str) -> object:
    code, out, err = invoke(cli, command, "--as-of", AS_OF, "--format", "json", "--db", url)
    assert code == 0, err
    return json.loads(out)


def test_aging_and_kpi_are_the_same_json_as_the_cli(
    app_client: TestClient, tokens: dict[str, dict[str, str]], web_url: str, cli: CliRunner
) -> None:
    for command in ("aging", "kpi"):
        api = app_client.get(f"/api/v1/{command}", params={"as_of": AS_OF}, headers=tokens["collector"])
        assert api.status_code == 200
        assert api.json() == _cli_json(cli, web_url, command)


def test_customer_invoices_add_up_to_its_aged_balance_row(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    headers = tokens["sales"]
    aging = app_client.get("/api/v1/aging", params={"as_of": AS_OF}, headers=headers).json()
    checked = 0
    for row in aging["rows"][:10]:
        cid = row["customer_id"]
        invoices = app_client.get(
            f"/api/v1/customers/{cid}/invoices", params={"as_of": AS_OF}, headers=headers
        )
        assert invoices.status_code == 200
        items = invoices.json()
        assert all(isinstance(i["open_amount"], str) for i in items)  # money is never a float
        customer = app_client.get(f"/api/v1/customers/{cid}", params={"as_of": AS_OF}, headers=headers).json()
        balance = sum(Decimal(b["balance"]) for b in customer["balances"])
        assert balance == Decimal(row["total"])
        documents = sum(Decimal(i["open_amount"]) for i in items)
        payments = app_client.get(
            f"/api/v1/customers/{cid}/payments", params={"as_of": AS_OF}, headers=headers
        )
        unapplied = sum(Decimal(p["unapplied"]) for p in payments.json())
        assert documents - unapplied == Decimal(row["total"])
        checked += 1
    assert checked == min(10, len(aging["rows"]))


def test_unknown_customer_is_404(app_client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    response = app_client.get("/api/v1/customers/NOPE/invoices", headers=tokens["admin"])
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/kpi", "/api/v1/aging"])
def test_figures_need_a_valid_date(
    app_client: TestClient, tokens: dict[str, dict[str, str]], path: str
) -> None:
    assert app_client.get(path, params={"as_of": "2026-13-01"}, headers=tokens["admin"]).status_code == 422


def test_casework_through_the_api(app_client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    cid = "C00009"
    invoices = app_client.get(f"/api/v1/customers/{cid}/invoices", headers=tokens["sales"]).json()
    invoice = next(i["invoice_id"] for i in invoices if i["kind"] == "invoice")
    dispute = {"invoice_id": invoice, "reason": "damaged goods"}
    refused = app_client.post(f"/api/v1/customers/{cid}/disputes", json=dispute, headers=tokens["sales"])
    assert refused.status_code == 403
    opened = app_client.post(f"/api/v1/customers/{cid}/disputes", json=dispute, headers=tokens["collector"])
    assert opened.status_code == 201 and opened.json()["invoice"] == invoice
    again = app_client.post(f"/api/v1/customers/{cid}/disputes", json=dispute, headers=tokens["collector"])
    assert again.status_code == 422  # one open dispute per invoice
    call = app_client.post(
        f"/api/v1/customers/{cid}/calls", json={"summary": "left a voicemail"}, headers=tokens["collector"]
    )
    assert call.status_code == 201 and call.json()["status"] == "done"
    done = app_client.get(
        "/api/v1/tasks", params={"customer_id": cid, "status": "done"}, headers=tokens["sales"]
    )
    assert [t["title"] for t in done.json()] == ["left a voicemail"]
    promise = {"amount": "99.90", "promised_date": "2026-11-30", "invoice_ids": [invoice]}
    made = app_client.post(
        f"/api/v1/customers/{cid}/promises",
        json=promise,
        params={"as_of": AS_OF},
        headers=tokens["collector"],
    )
    assert made.status_code == 201 and made.json()["amount"] == "99.90"
    negative = {**promise, "amount": "-3"}
    refused_amount = app_client.post(
        f"/api/v1/customers/{cid}/promises",
        json=negative,
        params={"as_of": AS_OF},
        headers=tokens["collector"],
    )
    assert refused_amount.status_code == 422
    kinds = {
        e["kind"] for e in app_client.get(f"/api/v1/customers/{cid}/timeline", headers=tokens["sales"]).json()
    }
    assert {"dispute", "promise", "invoice"} <= kinds


def test_a_promise_covers_every_open_invoice_and_is_plausible(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    cid = "C00012"
    url = f"/api/v1/customers/{cid}/promises"
    headers, at = tokens["collector"], {"as_of": AS_OF}
    items = app_client.get(f"/api/v1/customers/{cid}/invoices", params=at, headers=headers).json()
    open_invoices = sorted(
        i["invoice_id"]
        for i in items
        if i["kind"] == "invoice" and Decimal(i["open_amount"]) > 0 and not i["disputed"]
    )
    balance = sum(Decimal(i["open_amount"]) for i in items if i["invoice_id"] in open_invoices)
    assert open_invoices, "the demo customer owes something"
    too_much = app_client.post(
        url, json={"amount": "99999999", "promised_date": "2026-11-15"}, params=at, headers=headers
    )
    assert too_much.status_code == 422 and too_much.json()["field"] == "amount"
    assert f"open balance {balance}" in too_much.json()["detail"]
    far = app_client.post(
        url, json={"amount": "10.00", "promised_date": "9999-12-31"}, params=at, headers=headers
    )
    assert far.status_code == 422 and far.json()["field"] == "promised_date"
    # a promise for a day already past by the machine's clock, but after the business date
    made = app_client.post(
        url, json={"amount": str(balance), "promised_date": "2026-11-15"}, params=at, headers=headers
    )
    assert made.status_code == 201, made.text
    covered = sorted(key.removeprefix("doc:") for key in made.json()["entry_keys"])
    assert covered == open_invoices
