"""Schema-driven fuzzing of the OpenAPI document, signed in: no input makes the server fail,
and every status code answered is one the document declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from tests.web.conftest import TestClient, load_demo, token_for

from encours.demo.generator import DemoLedger
from encours.settings import Settings
from encours.web.app import create_app

# sends a real e-mail to whatever server the case names: a conversation, not an input to fuzz
NOT_FUZZED = {("POST", "/api/v1/settings/smtp/test")}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory, demo_ledger: DemoLedger) -> FastAPI:
    """A database and a data directory of its own: settings the cases save touch no other test."""
    folder = Path(tmp_path_factory.mktemp("fuzz"))
    url = f"sqlite:///{folder / 'encours.db'}"
    load_demo(url, demo_ledger)
    return create_app(url, Settings(database_url=url, data_dir=folder / "data"))


@pytest.fixture(scope="module")
def fuzz_headers(fuzz_app: FastAPI) -> dict[str, str]:
    with TestClient(fuzz_app) as client:
        return {"Authorization": f"Bearer {token_for(client, 'admin')}"}


# schemathesis' own strategies may draw from `random` (a Hypothesis deprecation, not our code):
# that warning must not decide whether our API answers 5xx
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_api_has_no_server_error(fuzz_app: FastAPI, fuzz_headers: dict[str, str]) -> None:
    """A few examples per operation (bounded time), each checked for a 5xx or undeclared answer."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    found = [result.ok() for result in schema.get_all_operations()]
    operations = [o for o in found if (o.method.upper(), o.path) not in NOT_FUZZED]
    assert len(operations) >= 8 and len(found) - len(operations) == len(NOT_FUZZED)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: Any) -> None:
            case.call_and_validate(headers=fuzz_headers, checks=[not_a_server_error, status_code_conformance])

        run()
