"""The workspace API of SPEC §9: promises' outcomes, disputes resolved, tasks planned and done,
plans, bulk worklist actions, the filtered worklist and notifications."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.conftest import AS_OF, browser_login, email

Headers = dict[str, dict[str, str]]
AT = {"as_of": AS_OF}


def open_invoices(client: TestClient, cid: str, headers: dict[str, str]) -> list[str]:
    items = client.get(f"/api/v1/customers/{cid}/invoices", params=AT, headers=headers).json()
    return [i["invoice_id"] for i in items if i["kind"] == "invoice" and not i["disputed"]]


def test_a_promise_marked_broken_resumes_reminders_and_tells_the_collector(
    app_client: TestClient, tokens: Headers
) -> None:
    cid, headers = "C00021", tokens["collector"]
    assign = app_client.post(
        f"/api/v1/customers/{cid}/assignee", json={"assignee": email("collector")}, headers=headers
    )
    assert assign.status_code == 204
    chosen = open_invoices(app_client, cid, headers)[:1]
    made = app_client.post(
        f"/api/v1/customers/{cid}/promises", params=AT, headers=headers,
        json={"amount": "10,00", "promised_date": "2026-11-20", "invoice_ids": chosen},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert [k.removeprefix("doc:") for k in made.json()["entry_keys"]] == chosen
    for day in ("2101-01-01", "1989-12-31"):  # beyond what a form takes: 422, never a 500
        far = app_client.post(
            f"/api/v1/customers/{cid}/promises", params=AT, headers=headers,
            json={"amount": "10.00", "promised_date": day, "invoice_ids": chosen},
        )  # fmt: skip
        assert far.status_code == 422, far.text
    pid = made.json()["promise_id"]
    before = app_client.get("/api/v1/notifications", headers=headers).json()["unread"]
    broken = app_client.post(
        f"/api/v1/promises/{pid}/outcome", json={"outcome": "broken"}, params=AT, headers=headers
    )
    assert broken.status_code == 200 and broken.json()["status"] == "broken"
    again = app_client.post(
        f"/api/v1/promises/{pid}/outcome", json={"outcome": "kept"}, params=AT, headers=headers
    )
    assert again.status_code == 422  # already settled
    bad = app_client.post(f"/api/v1/promises/{pid}/outcome", json={"outcome": "maybe"}, headers=headers)
    assert bad.status_code == 422
    told = app_client.get("/api/v1/notifications", headers=headers).json()
    assert told["unread"] == before + 1
    assert told["items"][0]["kind"] == "broken_promise" and told["items"][0]["customer_id"] == cid
    assert "non tenue" in told["items"][0]["message"]  # the collector reads French
    calls = app_client.get("/api/v1/tasks", params={"customer_id": cid, "kind": "call"}, headers=headers)
    assert any(f"promise {pid}" in t["title"].lower() for t in calls.json())
    assert app_client.post("/api/v1/notifications/read", headers=headers).status_code == 204
    assert app_client.get("/api/v1/notifications", headers=headers).json()["unread"] == 0


def test_resolve_a_dispute_with_a_note(app_client: TestClient, tokens: Headers) -> None:
    cid, headers = "C00022", tokens["collector"]
    invoice = open_invoices(app_client, cid, headers)[0]
    opened = app_client.post(
        f"/api/v1/customers/{cid}/disputes", json={"invoice_id": invoice, "reason": "price"}, headers=headers
    ).json()
    did = opened["dispute_id"]
    category = app_client.post(
        f"/api/v1/disputes/{did}/category", json={"category": "price"}, headers=headers
    )
    assert category.status_code == 200 and category.json()["category"] == "price"
    owner = app_client.post(f"/api/v1/disputes/{did}/owner", json={"owner": "nobody@x.test"}, headers=headers)
    assert owner.status_code == 422 and owner.json()["field"] == "owner"
    resolved = app_client.post(
        f"/api/v1/disputes/{did}/resolve",
        json={"resolution": "avoir émis", "note": "avoir AV-12 envoyé"},
        headers=headers,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == "avoir émis"
    events = app_client.get(f"/api/v1/customers/{cid}/timeline", headers=headers).json()
    assert any("avoir AV-12" in e["title"] for e in events)
    refused = app_client.post(f"/api/v1/disputes/{did}/resolve", json={"resolution": ""}, headers=headers)
    assert refused.status_code == 422


def test_tasks_planned_for_users_only_and_done(app_client: TestClient, tokens: Headers) -> None:
    cid, headers = "C00023", tokens["collector"]
    body = {"customer_id": cid, "kind": "callback", "due_date": "2026-11-03", "assignee": email("collector")}
    made = app_client.post("/api/v1/tasks", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["assignee"] == email("collector") and made.json()["due_date"] == "2026-11-03"
    stranger = app_client.post("/api/v1/tasks", json={**body, "assignee": "jdupont"}, headers=headers)
    assert stranger.status_code == 422 and stranger.json()["field"] == "assignee"
    for day in ("2101-01-01", "1989-12-31", "0"):
        far = app_client.post("/api/v1/tasks", json={**body, "due_date": day}, headers=headers)
        assert far.status_code == 422, day
    assert (
        app_client.post("/api/v1/tasks", json={**body, "kind": "dance"}, headers=headers).status_code == 422
    )
    refused = app_client.post("/api/v1/tasks", json=body, headers=tokens["sales"])
    assert refused.status_code == 403
    mine = app_client.get(
        "/api/v1/tasks", params={"assignee": email("collector"), "due_date": "2026-11-03"}, headers=headers
    ).json()
    task_id = made.json()["task_id"]
    assert task_id in [t["task_id"] for t in mine]
    done = app_client.post(f"/api/v1/tasks/{task_id}/done", json={"outcome": "rappelé"}, headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert app_client.post(f"/api/v1/tasks/{task_id}/done", headers=headers).status_code == 422
    assert app_client.post("/api/v1/tasks/99999999/done", headers=headers).status_code == 404


def test_a_logged_call_is_one_timeline_line_and_an_assignment_shows(
    app_client: TestClient, tokens: Headers
) -> None:
    headers = tokens["collector"]
    cid = app_client.get("/api/v1/worklist/page", params=AT, headers=headers).json()["rows"][-1][
        "customer_id"
    ]
    app_client.post(f"/api/v1/customers/{cid}/calls", json={"summary": "rappel vendredi"}, headers=headers)
    app_client.post(
        f"/api/v1/customers/{cid}/assignee", json={"assignee": email("collector")}, headers=headers
    )
    events = app_client.get(f"/api/v1/customers/{cid}/timeline", headers=headers).json()
    assert len([e for e in events if "rappel vendredi" in e["title"]]) == 1
    assert any(e["kind"] == "assignment" and email("collector") in e["title"] for e in events)
    page = app_client.get(
        "/api/v1/worklist/page", params={**AT, "collector": email("collector")}, headers=headers
    ).json()
    assert cid in [r["customer_id"] for r in page["rows"]]
    assert {r["collector"] for r in page["rows"]} == {email("collector")}
    row = next(r for r in page["rows"] if r["customer_id"] == cid)
    assert row["last_contact"] is not None


def test_filtered_worklist_and_bulk_actions(app_client: TestClient, tokens: Headers) -> None:
    headers = tokens["credit_manager"]
    everyone = app_client.get("/api/v1/worklist/page", params=AT, headers=headers).json()
    assert everyone["total"] >= len(everyone["rows"]) > 7
    first = everyone["rows"][0]
    bucket = app_client.get(
        "/api/v1/worklist/page", params={**AT, "bucket": first["bucket"]}, headers=headers
    ).json()
    assert 0 < bucket["total"] < everyone["total"]
    assert {r["bucket"] for r in bucket["rows"]} == {first["bucket"]}
    chosen = [r["customer_id"] for r in everyone["rows"][5:7]]
    bulk = app_client.post(
        "/api/v1/worklist/bulk", params=AT, headers=headers,
        json={"action": "assign", "customer_ids": chosen, "assignee": email("collector")},
    )  # fmt: skip
    assert bulk.status_code == 200 and bulk.json()["customers"] == 2
    mine = app_client.get(
        "/api/v1/worklist/page", params={**AT, "collector": email("collector")}, headers=headers
    ).json()
    assert set(chosen) <= {r["customer_id"] for r in mine["rows"]}
    nobody = app_client.get("/api/v1/worklist/page", params={**AT, "collector": "-"}, headers=headers).json()
    assert not set(chosen) & {r["customer_id"] for r in nobody["rows"]}
    pause = app_client.post(
        "/api/v1/worklist/bulk", params=AT, headers=headers,
        json={"action": "pause", "customer_ids": chosen[:1], "until": "2026-11-15"},
    )  # fmt: skip
    assert pause.status_code == 200
    past = app_client.post(
        "/api/v1/worklist/bulk", params=AT, headers=headers,
        json={"action": "pause", "customer_ids": chosen[:1], "until": "2026-10-01"},
    )  # fmt: skip
    assert past.status_code == 422 and past.json()["field"] == "until"


def test_a_plan_on_every_open_invoice_and_its_board(
    app_client: TestClient, ui_client: TestClient, tokens: Headers
) -> None:
    cid, headers = "C00026", tokens["collector"]
    owed = open_invoices(app_client, cid, headers)
    body = {"count": 3, "first_due": "2026-11-30"}
    made = app_client.post(f"/api/v1/customers/{cid}/plans", json=body, params=AT, headers=headers)
    assert made.status_code == 201, made.text
    assert sorted(k.removeprefix("doc:") for k in made.json()["entry_keys"]) == sorted(owed)
    far = app_client.post(
        f"/api/v1/customers/{cid}/plans", json={**body, "first_due": "2101-01-31"}, params=AT, headers=headers
    )
    assert far.status_code == 422
    browser_login(ui_client, "collector")
    board = ui_client.get("/plans", params=AT).text
    row = board.split(f'data-plan="{made.json()["plan_id"]}"')[1].split("</tr>")[0]
    assert row.count('class="instalment ') == 3 and "30/11/2026" in row and "À venir" in row


def test_saved_views_are_each_users_own(app_client: TestClient, tokens: Headers) -> None:
    mine, theirs = tokens["collector"], tokens["sales"]
    query = "risk=C&stage=reminder_1"
    made = app_client.post("/api/v1/worklist/views", json={"name": "Risque C", "query": query}, headers=mine)
    assert made.status_code == 201, made.text
    view = made.json()
    assert view["name"] == "Risque C" and view["query"] == query
    replaced = app_client.post(
        "/api/v1/worklist/views", json={"name": "Risque C", "query": "risk=D"}, headers=mine
    )
    assert replaced.json()["view_id"] == view["view_id"]  # one view of a name, replaced
    listed = app_client.get("/api/v1/worklist/views", headers=mine).json()
    assert {"view_id": view["view_id"], "name": "Risque C", "query": "risk=D"} in listed
    assert all(
        v["view_id"] != view["view_id"]
        for v in app_client.get("/api/v1/worklist/views", headers=theirs).json()
    )
    assert (
        app_client.post("/api/v1/worklist/views", json={"name": "  ", "query": ""}, headers=mine).status_code
        == 422
    )
    assert app_client.post("/api/v1/worklist/views", json={"name": "x" * 81}, headers=mine).status_code == 422
    assert TestClient(app_client.app).get("/api/v1/worklist/views").status_code == 401  # no cookie kept
    assert app_client.delete(f"/api/v1/worklist/views/{view['view_id']}", headers=theirs).status_code == 204
    assert any(
        v["view_id"] == view["view_id"] for v in app_client.get("/api/v1/worklist/views", headers=mine).json()
    )
    assert app_client.delete(f"/api/v1/worklist/views/{view['view_id']}", headers=mine).status_code == 204
    assert all(
        v["view_id"] != view["view_id"] for v in app_client.get("/api/v1/worklist/views", headers=mine).json()
    )
    assert app_client.delete("/api/v1/worklist/views/0", headers=mine).status_code == 422
