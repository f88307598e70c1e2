"""Casework screens: the customer sheet's promise form, and the litigation board that takes
handed-over customers out of the worklist."""

from __future__ import annotations

import datetime as dt
import html

from fastapi.testclient import TestClient
from tests.web.conftest import AS_OF, browser_login, token_for

from encours.casework.holds import HoldKind, place_hold
from encours.casework.promises import list_promises
from encours.casework.suppression import dunning_suppressions
from encours.storage.database import get_engine, unit_of_work
from encours.web.app import create_app


def test_handed_over_customer_leaves_the_worklist_for_the_litigation_board(own_url: str) -> None:
    with TestClient(create_app(own_url)) as client:
        headers = {"Authorization": f"Bearer {token_for(client, 'collector')}"}
        at = {"as_of": AS_OF, "limit": 10}
        before = [w["customer_id"] for w in client.get("/api/v1/worklist", params=at, headers=headers).json()]
        top = before[0]
        assert client.get("/api/v1/litigation", params=at, headers=headers).json() == []
        with unit_of_work(get_engine(own_url)) as session:
            place_hold(session, top, HoldKind.LITIGATION, actor="ana", start_date=dt.date(2026, 10, 20),
                       reason="handed over to our lawyer")  # fmt: skip
        after = [w["customer_id"] for w in client.get("/api/v1/worklist", params=at, headers=headers).json()]
        assert top not in after and len(after) == len(before)
        assert after[: len(before) - 1] == before[1:]
        board = client.get("/api/v1/litigation", params=at, headers=headers).json()
        assert [(b["customer_id"], b["kind"], b["since"]) for b in board] == [
            (top, "litigation", "2026-10-20")
        ]
        assert board[0]["balances"] and all(b["open_amount"] for b in board[0]["balances"])
        # before the hand-over it was not in force: the customer is still worked
        earlier = client.get("/api/v1/litigation", params={"as_of": "2026-10-19"}, headers=headers).json()
        assert earlier == []
        browser_login(client, "collector")
        page = client.get("/litigation", params={"as_of": AS_OF})
        assert page.status_code == 200 and top in page.text and "handed over to our lawyer" in page.text


def test_the_customer_sheet_promise_covers_every_open_invoice_on_the_sheets_date(own_url: str) -> None:
    cid = "C00003"
    with TestClient(create_app(own_url)) as client:
        csrf = browser_login(client, "collector")
        sheet = client.get(f"/customers/{cid}", params={"as_of": AS_OF})
        assert f'name="as_of" value="{AS_OF}"' in sheet.text  # the form carries the business date
        form = {"kind": "promise", "amount": "1 000,00", "promised_date": "2026-11-20", "as_of": AS_OF,
                "csrf_token": csrf, "back": f"/customers/{cid}?as_of={AS_OF}"}  # fmt: skip
        refused = client.post(f"/customers/{cid}/actions", data={**form, "promised_date": "9999-12-31"})
        # not a 500: the sheet again, the date marked, the reason in the collector's French
        said = html.unescape(refused.text)
        assert refused.status_code == 422 and "plus d'un an de la date de gestion (31/10/2026)" in said
        too_much = client.post(f"/customers/{cid}/actions", data={**form, "amount": "99999999"})
        assert (
            too_much.status_code == 422
            and "dépasse ce que doivent les factures couvertes" in html.unescape(too_much.text)
        )
        made = client.post(f"/customers/{cid}/actions", data=form, follow_redirects=False)
        assert made.status_code == 303 and made.headers["location"].startswith(
            f"/customers/{cid}?as_of={AS_OF}"
        )
    with unit_of_work(get_engine(own_url)) as session:
        [promise] = list_promises(session, cid)
        paused = dunning_suppressions(session, dt.date.fromisoformat(AS_OF)).promised_until
    assert promise.made_on == dt.date.fromisoformat(AS_OF) and promise.entry_keys
    assert {key: paused[key] for key in promise.entry_keys} == dict.fromkeys(
        promise.entry_keys, promise.honour_by
    )
