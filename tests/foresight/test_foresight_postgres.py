"""SQLite and PostgreSQL give the same foresight (history SQL, migration, stored scores)."""

from __future__ import annotations

import json

import pytest
from tests.conftest import invoke
from tests.foresight.conftest import load_ledger
from typer.testing import CliRunner

from encours.foresight.synthetic import generate_ar


@pytest.mark.postgres
def test_same_forecast_and_scores_on_both_backends(
    cli: CliRunner, sqlite_url: str, postgres_url: str
) -> None:
    ledger = generate_ar(seed=5, customers=12, invoices=300)
    outputs = []
    day = "2013-06-30"
    for url in (sqlite_url, postgres_url):
        load_ledger(url, ledger)
        code, forecast, err = invoke(cli, "forecast", "--as-of", day, "--format", "json", "--db", url)
        assert code == 0, err
        code, scores, err = invoke(cli, "score", "--as-of", day, "--format", "json", "--db", url)
        assert code == 0, err
        outputs.append((forecast, scores))
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0][0])["invoices"]
    assert len(json.loads(outputs[0][1])["scores"]) == 12
