"""What every page pays: the bell's count read in the request's own unit of work, the
collector's pauses, the routes tried before the page's."""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import event, update
from tests.web.conftest import AS_OF, browser_login

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from fastapi.routing import APIRoute

from encours.casework import notifications
from encours.casework.workspace_models import NotificationRow
from encours.storage.base import utcnow
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import SCREENS, create_app
from encours.web.server import GC_THRESHOLDS, tune_collector

BELL = re.compile(r'id="bell"[^>]*>.*?(?:<span class="count">(\d+)</span>)?</a>', re.S)


@pytest.fixture
def told(own_url: str) -> Iterator[TestClient]:
    """The credit manager signed in, told of two broken promises (customers nobody follows),
    with what earlier tests left in the shared database already read."""
    with unit_of_work(get_engine(own_url)) as session:
        session.execute(update(NotificationRow).values(read_at=utcnow()))
        for customer in ("C00001", "C00002"):
            notifications.notify(session, notifications.Kind.BROKEN_PROMISE, ("rompue", "broken"), customer)
    with TestClient(create_app(own_url)) as client:
        browser_login(client, "credit_manager")
        yield client


def bell_count(html: str) -> int:
    found = BELL.search(html)
    assert found, "no bell in the page"
    return int(found.group(1) or 0)


def test_a_page_and_its_bell_use_one_connection(told: TestClient, own_url: str) -> None:
    told.get(f"/?as_of={AS_OF}")  # the first one computes the whole-ledger figures
    checkouts: list[object] = []
    engine = get_engine(own_url)
    listener = lambda *_: checkouts.append(1)  # noqa: E731
    event.listen(engine, "checkout", listener)
    try:
        page = told.get(f"/?as_of={AS_OF}")
    finally:
        event.remove(engine, "checkout", listener)
    assert page.status_code == 200
    assert bell_count(page.text) == 2
    assert len(checkouts) == 1


def test_the_bell_is_counted_on_refusals_too_and_drops_once_read(told: TestClient) -> None:
    before = bell_count(told.get(f"/?as_of={AS_OF}").text)
    missing = told.get("/customers/NO-SUCH-CUSTOMER")  # rendered after the unit of work closed
    assert missing.status_code == 404
    assert bell_count(missing.text) == before
    told.get("/notifications")  # read
    assert bell_count(told.get(f"/?as_of={AS_OF}").text) == 0


def test_a_server_process_freezes_what_it_loaded_and_collects_the_young_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_collector()
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
        assert gc.get_freeze_count() > 10_000  # the modules, routes and templates loaded so far
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_screen_route_answers_another_routers_path_so_their_order_is_free(web_url: str) -> None:
    """The app puts the most visited screens first and the API last (encours.web.app.SCREENS):
    that is only safe while no route of one router would answer a path of another."""
    api_paths = list(create_app(web_url).openapi()["paths"])
    assert api_paths and all(path.startswith("/api/v1/") for path in api_paths)
    leaves = [(index, route) for index, router in enumerate(SCREENS) for route in router.routes]
    assert all(isinstance(route, APIRoute) for _, route in leaves)  # no nested router, no mount
    for index, route in leaves:
        assert isinstance(route, APIRoute)
        for other_index, other in leaves:
            assert isinstance(other, APIRoute)
            if other_index != index and route.methods & other.methods:
                assert not route.path_regex.match(sample_path(other.path)), (route.path, other.path)
        assert not any(route.path_regex.match(sample_path(path)) for path in api_paths), route.path
