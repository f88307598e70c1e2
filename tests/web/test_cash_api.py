"""The cash-application API: receipts waiting for a person, allocating one by hand (same
services as `encours cash`), the cash screen's decisions (run, confirm, unallocate, set aside),
refusals as the other routes give them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.conftest import invoke
from tests.ledger.test_cash_application import LINES, setup_ledger
from typer.testing import CliRunner

from encours.cli.main import app
from encours.web.app import create_app

PASSWORD = "Pivoine-grenier-7741-fjord"
ROLES = ("credit_manager", "collector", "sales")


def _ledger_with_receipts(cli: CliRunner, tmp_path: Path, url: str) -> None:
    """A suggested receipt (two invoices of 80.00) and an unmatched one; a user per role."""
    setup_ledger(cli, tmp_path, url, [LINES[3], LINES[4]])
    assert invoke(cli, "cash", "apply", "--as-of", "2026-10-31", "--db", url)[0] == 0
    for role in ROLES:
        args = ["user", "add", f"{role}@example.com", "--role", role, "--password-stdin", "--db", url]
        assert cli.invoke(app, args, input=PASSWORD).exit_code == 0


def _headers(client: TestClient) -> dict[str, dict[str, str]]:
    headers = {}
    for role in ROLES:
        login = {"username": f"{role}@example.com", "password": PASSWORD}
        token = client.post("/api/v1/auth/token", data=login).json()["access_token"]
        headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


def test_list_and_allocate_a_suggested_receipt(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    _ledger_with_receipts(cli, tmp_path, sqlite_url)
    with TestClient(create_app(sqlite_url)) as client:
        headers = _headers(client)
        listed = client.get("/api/v1/cash/receipts", headers=headers["sales"]).json()
        assert [(r["status"], bool(r["reason"])) for r in listed] == [
            ("suggested", True),
            ("unmatched", True),
        ]
        suggested, unmatched = listed[0]["receipt_id"], listed[1]["receipt_id"]
        only = client.get("/api/v1/cash/receipts", params={"status": "unmatched"}, headers=headers["sales"])
        assert [r["receipt_id"] for r in only.json()] == [unmatched]
        url = f"/api/v1/cash/receipts/{suggested}/allocations"
        assert client.post(url, json={"invoice_id": "FB-1001"}, headers=headers["sales"]).status_code == 403
        made = client.post(url, json={"invoice_id": "FB-1001"}, headers=headers["collector"])
        assert made.status_code == 201, made.text
        assert made.json()["status"] == "matched"
        assert made.json()["allocations"] == [{"invoice_id": "FB-1001", "amount": "80.00"}]
        assert client.post(url, json={"invoice_id": "NOPE"}, headers=headers["collector"]).status_code == 404
        too_much = client.post(
            f"/api/v1/cash/receipts/{unmatched}/allocations",
            json={"invoice_id": "FB-1002", "amount": "900"},
            headers=headers["collector"],
        )
        assert too_much.status_code == 422
        left = client.get("/api/v1/cash/receipts", headers=headers["sales"]).json()
        assert [r["receipt_id"] for r in left] == [unmatched]


def test_the_cash_screens_decisions_over_the_api(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    _ledger_with_receipts(cli, tmp_path, sqlite_url)
    with TestClient(create_app(sqlite_url)) as client:
        headers = _headers(client)
        manager = headers["credit_manager"]
        listed = client.get("/api/v1/cash/receipts", headers=manager).json()
        suggested, unmatched = listed[0]["receipt_id"], listed[1]["receipt_id"]
        decisions = [
            ("/api/v1/cash/apply", None), (f"/api/v1/cash/receipts/{suggested}/confirm", None),
            (f"/api/v1/cash/receipts/{suggested}/unallocate", None),
            (f"/api/v1/cash/receipts/{unmatched}/set-aside", {"note": "a refund"}),
        ]  # fmt: skip
        for url, body in decisions:  # deciding is for credit managers, as on the screen
            assert client.post(url, json=body).status_code == 401
            for role in ("collector", "sales"):
                assert client.post(url, json=body, headers=headers[role]).status_code == 403, (url, role)

        confirmed = client.post(f"/api/v1/cash/receipts/{suggested}/confirm", headers=manager)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "matched" and confirmed.json()["allocations"]
        again = client.post(f"/api/v1/cash/receipts/{suggested}/confirm", headers=manager)
        assert again.status_code == 409  # only a suggestion can be confirmed
        undone = client.post(f"/api/v1/cash/receipts/{suggested}/unallocate", headers=manager)
        assert undone.status_code == 200 and undone.json()["allocations"] == []
        assert undone.json()["status"] == "suggested"  # waiting for a person again, as it was

        too_long = client.post(
            f"/api/v1/cash/receipts/{unmatched}/set-aside", json={"note": "x" * 2001}, headers=manager
        )
        assert too_long.status_code == 422
        assert client.post("/api/v1/cash/receipts/0/confirm", headers=manager).status_code == 422
        aside = client.post(
            f"/api/v1/cash/receipts/{unmatched}/set-aside", json={"note": "a refund"}, headers=manager
        )
        assert aside.status_code == 200, aside.text
        waiting = [r["receipt_id"] for r in client.get("/api/v1/cash/receipts", headers=manager).json()]
        assert unmatched not in waiting and suggested in waiting

        run = client.post("/api/v1/cash/apply", headers=manager)
        assert run.status_code == 202 and run.json()["kind"] == "cash_application"
        assert client.get(f"/api/v1/jobs/{run.json()['job_id']}", headers=manager).status_code == 200
