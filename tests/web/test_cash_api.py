"""The cash-application API: receipts waiting for a person, allocating one by hand (same
services as `encours cash`), refusals as the other routes give them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.conftest import invoke
from tests.ledger.test_cash_application import LINES, setup_ledger
from typer.testing import CliRunner

from encours.cli.main import app
from encours.web.app import create_app

PASSWORD = "Pivoine-grenier-7741-fjord"


def test_list_and_allocate_a_suggested_receipt(cli: CliRunner, tmp_path: Path, sqlite_url: str) -> None:
    setup_ledger(cli, tmp_path, sqlite_url, [LINES[3], LINES[4]])
    assert invoke(cli, "cash", "apply", "--as-of", "2026-10-31", "--db", sqlite_url)[0] == 0
    for role in ("collector", "sales"):
        args = ["user", "add", f"{role}@example.com", "--role", role, "--password-stdin", "--db", sqlite_url]
        assert cli.invoke(app, args, input=PASSWORD).exit_code == 0
    with TestClient(create_app(sqlite_url)) as client:
        headers = {}
        for role in ("collector", "sales"):
            login = {"username": f"{role}@example.com", "password": PASSWORD}
            token = client.post("/api/v1/auth/token", data=login).json()["access_token"]
            headers[role] = {"Authorization": f"Bearer {token}"}
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
