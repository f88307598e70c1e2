"""API and UI do the same things (issue 12, SPEC §9): every action of the screens has a JSON
route under /api/v1 in the OpenAPI document, and every such route answers 401 without a token."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

# a screen's form (method, path) -> the API route doing the same (method, path under /api/v1)
PARITY = {
    "/login": ("post", "/auth/token"),
    "/logout": ("post", "/auth/logout"),
    "/settings/language": ("patch", "/me"),
    "/customers/{customer_id}/actions": ("post", "/customers/{customer_id}/notes"),  # and below
    "/customers/{customer_id}/portal-link": ("post", "/customers/{customer_id}/portal-link"),
    "/admin/users": ("post", "/users"),
    "/dunning/scenarios/{name}": ("put", "/settings/scenarios/{name}"),
    "/dunning/templates/{path:path}": ("put", "/settings/templates/{path}"),
    "/worklist/bulk": ("post", "/worklist/bulk"),
    "/worklist/views": ("post", "/worklist/views"),
    "/worklist/views/{view_id}/delete": ("delete", "/worklist/views/{view_id}"),
    "/tasks": ("post", "/tasks"),
    "/tasks/{task_id}/done": ("post", "/tasks/{task_id}/done"),
    "/disputes/{dispute_id}/resolve": ("post", "/disputes/{dispute_id}/resolve"),
    "/disputes/{dispute_id}/assign": ("post", "/disputes/{dispute_id}/owner"),
    "/disputes/{dispute_id}/category": ("post", "/disputes/{dispute_id}/category"),
    "/promises/{promise_id}/outcome": ("post", "/promises/{promise_id}/outcome"),
    "/customers/{customer_id}/promise": ("post", "/customers/{customer_id}/promises"),
    "/customers/{customer_id}/plan": ("post", "/customers/{customer_id}/plans"),
    "/notifications/preferences": ("put", "/notifications/preferences"),
    "/cash/apply": ("post", "/cash/apply"),
    "/cash/receipts/{receipt_id}/confirm": ("post", "/cash/receipts/{receipt_id}/confirm"),
    "/cash/receipts/{receipt_id}/allocate": ("post", "/cash/receipts/{receipt_id}/allocations"),
    "/cash/receipts/{receipt_id}/unallocate": ("post", "/cash/receipts/{receipt_id}/unallocate"),
    "/cash/receipts/{receipt_id}/ignore": ("post", "/cash/receipts/{receipt_id}/set-aside"),
    "/dunning/runs": ("post", "/dunning/runs"),
    "/customers/{customer_id}/dunning-pause": ("post", "/customers/{customer_id}/dunning-pause"),
    "/customers/{customer_id}/dunning-resume": ("delete", "/customers/{customer_id}/dunning-pause"),
    "/jobs/{job_id}/retry": ("post", "/jobs/{job_id}/retry"),
    "/jobs/{job_id}/cancel": ("post", "/jobs/{job_id}/cancel"),
    "/admin/users/{user_id}": ("patch", "/users/{user_id}"),
    "/admin/users/{user_id}/reset": ("post", "/users/{user_id}/reset"),
    "/account/password": ("post", "/me/password"),
    "/admin/settings/company": ("put", "/settings/company"),
    "/admin/settings/thresholds": ("put", "/settings/thresholds"),
    "/admin/settings/scenarios/{name}": ("put", "/settings/scenarios/{name}"),
    "/admin/settings/smtp": ("put", "/settings/smtp"),
    "/admin/settings/smtp/test": ("post", "/settings/smtp/test"),
    "/admin/settings/payment-link": ("put", "/settings/payment-link"),
    "/admin/settings/rates/{which}": ("put", "/settings/rates/{which}"),
    "/admin/import": ("post", "/imports"),
}
# the customer sheet's one form does what these do, by its ``kind``
CUSTOMER_ACTIONS = [("post", f"/customers/{{customer_id}}/{p}") for p in ("calls", "promises", "disputes")]
CUSTOMER_ACTIONS.append(("post", "/customers/{customer_id}/assignee"))
# what the screens show, also readable as JSON
READS = [
    ("get", "/worklist/page"), ("get", "/worklist/views"), ("get", "/tasks"), ("get", "/disputes"),
    ("get", "/promises"), ("get", "/plans"), ("get", "/litigation"), ("get", "/notifications"),
    ("get", "/dunning/preview/{customer_id}"), ("get", "/dunning/preview/{customer_id}/letters/{name}"),
    ("get", "/dunning/history"), ("get", "/dunning/actions/{action_id}/email"),
    ("get", "/dunning/actions/{action_id}/document"), ("get", "/dunning/runs/{job_id}"),
    ("get", "/cash/receipts"), ("get", "/audit"), ("get", "/jobs/{job_id}"), ("get", "/settings/company"),
    ("get", "/settings/thresholds"), ("get", "/settings/payment-link"), ("get", "/settings/rates/{which}"),
    ("get", "/settings/scenarios"), ("get", "/settings/templates"), ("get", "/settings/templates/{path}"),
]  # fmt: skip
# forms with no API twin, and why
BROWSER_ONLY = {
    "/reset/{token}": "the one-time link is the credential, opened in a browser",
    "/portal/{token}/{kind}": "the customer portal, signed by its link",
}
ROW_IDS = dict.fromkeys(
    ("view_id", "task_id", "dispute_id", "promise_id", "receipt_id", "job_id", "user_id", "action_id"), 1
)
EXAMPLE = {"customer_id": "C00001", "name": "x", "path": "fr/email/reminder.txt", "which": "ecb"}


def _routes(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)
        else:
            yield route


def _form_paths(client: TestClient) -> set[str]:
    """Every path a screen's form posts to (the routes kept out of the OpenAPI document)."""
    return {
        r.path
        for r in _routes(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(r, APIRoute) and not r.include_in_schema and r.methods & {"POST", "PUT", "DELETE"}
        and not r.path.startswith("/api/")
    }  # fmt: skip


def _documented(client: TestClient) -> set[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return {(method, path.removeprefix("/api/v1")) for path, item in paths.items() for method in item}


def test_every_form_of_the_screens_has_an_api_route(app_client: TestClient) -> None:
    forms = _form_paths(app_client)
    assert forms, "no form found: the walk over the routes is broken"
    assert forms - set(PARITY) - set(BROWSER_ONLY) == set(), "a form without an API route"
    documented = _documented(app_client)
    wanted = {*PARITY.values(), *CUSTOMER_ACTIONS, *READS}
    assert wanted - documented == set()


def test_every_workspace_route_needs_a_token(app_client: TestClient) -> None:
    for method, path in sorted({*PARITY.values(), *CUSTOMER_ACTIONS, *READS} - {("post", "/auth/token")}):
        url = "/api/v1" + path.format(**EXAMPLE, **ROW_IDS)
        answer = app_client.request(method.upper(), url, json={})
        assert answer.status_code == 401, (method, url, answer.status_code)
