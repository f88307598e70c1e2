"""The API on PostgreSQL: same contracts, same figures as the CLI."""

from __future__ import annotations

import json

import pytest
from tests.conftest import invoke
from tests.web.conftest import AS_OF, TestClient, load_demo, token_for
from typer.testing import CliRunner

from encours.demo.generator import DemoLedger
from encours.web.app import create_app

pytestmark = pytest.mark.postgres


def test_api_on_postgres(postgres_url: str, demo_ledger: DemoLedger, cli: CliRunner) -> None:
    load_demo(postgres_url, demo_ledger)
    with TestClient(create_app(postgres_url)) as client:
        assert client.get("/api/v1/customers").status_code == 401
        headers = {"Authorization": f"Bearer {token_for(client, 'collector')}"}
        page = client.get(
            "/api/v1/customers", params={"limit": 5, "q": "c0001", "as_of": AS_OF}, headers=headers
        )
        assert page.status_code == 200 and page.json()["total"] == 10  # C00010 … C00019
        for command in ("aging", "kpi"):
            api = client.get(f"/api/v1/{command}", params={"as_of": AS_OF}, headers=headers).json()
            code, out, err = invoke(cli, command, "--as-of", AS_OF, "--format", "json", "--db", postgres_url)
            assert code == 0, err
            assert api == json.loads(out)
        aging = client.get("/api/v1/aging", params={"as_of": AS_OF}, headers=headers).json()
        row = aging["rows"][0]
        customer = client.get(
            f"/api/v1/customers/{row['customer_id']}", params={"as_of": AS_OF}, headers=headers
        )
        assert customer.json()["balances"][0]["balance"] == row["total"]
        code, out, _ = invoke(cli, "portal", "link", row["customer_id"], "--db", postgres_url)
        assert code == 0
        portal = client.get(out.strip().splitlines()[-1])
        assert portal.status_code == 200 and row["name"] in portal.text
