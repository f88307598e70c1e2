"""Every refusal is an EncoursError keeping its HTTP status, answered by one handler of the app."""

from __future__ import annotations

import asyncio
import json

import pytest
from starlette.requests import Request

from encours.casework.errors import CaseworkError
from encours.casework.errors import NotFound as UnknownCaseRecord
from encours.domain.errors import EncoursError, LedgerError, NotFound
from encours.dunning.service import ConfigurationError
from encours.ledger.import_service import ImportRejected
from encours.users.errors import InvalidCredentials, LoginThrottled, UserError, UserExists
from encours.web.app import refused
from encours.web.errors import CsrfFailed, LoginRequired
from encours.web.portal.routes import PortalInputError
from encours.web.reports.digest import DigestError

BAD_LINES = [LedgerError("a.csv", 2, "date", "invalid date"), LedgerError("a.csv", 5, "amount", "negative")]


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (UserError("unknown role 'boss'", field="role"), 400),
        (InvalidCredentials("invalid e-mail or password"), 401),
        (LoginThrottled("too many failed logins"), 429),
        (UserExists("user a@b.c already exists", field="email"), 409),
        (CaseworkError("empty note", field="body"), 422),
        (UnknownCaseRecord("unknown customer 'NOPE'", field="customer"), 404),
        (PortalInputError("invalid amount", field="amount"), 422),
        (LoginRequired("sign in first"), 401),
        (CsrfFailed("invalid or missing CSRF token"), 403),
        (ImportRejected(BAD_LINES), 422),
        (ConfigurationError(BAD_LINES), 422),
        (DigestError("ENCOURS_SMTP_URL is not set"), 500),
    ],
)
def test_every_refusal_is_an_encours_error_with_its_status(refusal: EncoursError, status: int) -> None:
    assert isinstance(refusal, EncoursError)
    assert refusal.status == status


def test_an_unknown_case_record_is_both_not_found_and_a_casework_error() -> None:
    refusal = UnknownCaseRecord("unknown task 9", field="task")
    assert isinstance(refusal, NotFound) and isinstance(refusal, CaseworkError)


def answer(path: str, refusal: EncoursError) -> tuple[int, dict[str, object]]:
    scope = {"type": "http", "method": "POST", "path": path, "query_string": b"", "headers": []}
    response = asyncio.run(refused(Request(scope), refusal))
    return response.status_code, json.loads(bytes(response.body))


def test_line_errors_are_one_422_listing_each_line() -> None:
    status, body = answer("/api/v1/imports", ImportRejected(BAD_LINES))
    assert status == 422
    assert body == {
        "detail": "a.csv: nothing imported",
        "field": None,
        "errors": [
            {"file": "a.csv", "line": 2, "field": "date", "message": "invalid date"},
            {"file": "a.csv", "line": 5, "field": "amount", "message": "negative"},
        ],
    }
