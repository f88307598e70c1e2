"""The audit trail (view and API) and import from the browser as a background job."""

from __future__ import annotations

import datetime as dt
import re
import time

from tests.web.admin.conftest import AdminApp, sign_in
from tests.web.conftest import email

from encours.jobs import files as job_files
from encours.jobs import service as jobs
from encours.ledger.queries import find_customer
from encours.storage.database import unit_of_work
from encours.web.ledger_views import open_items

CUSTOMERS = "customer_id,name,segment\nNEW001,Électricité Ardoise,pme\nNEW002,Bois du Nord,pme\n"
INVOICES = (
    "invoice_id,customer_id,issue_date,due_date,amount,currency\n"
    "N-1,NEW001,2026-09-01,2026-10-01,1200.00,EUR\n"
    "N-2,NEW002,2026-09-02,2026-10-02,douze,EUR\n"
)


def wait_for(app: AdminApp, job_id: int) -> jobs.JobView:  # type: ignore[name-defined]
    deadline = time.monotonic() + 120
    while True:
        with unit_of_work(app.engine) as session:
            job = jobs.get(session, job_id)
        if job.finished or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_import_from_the_browser_lists_bad_lines_and_stores_nothing_of_that_file(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "credit_manager")
        answer = client.post(
            "/admin/import",
            data={"csrf_token": csrf},
            files=[
                ("files", ("invoices.csv", INVOICES.encode())),
                ("files", ("clients.csv", CUSTOMERS.encode())),
            ],
            follow_redirects=False,
        )
        assert answer.status_code == 303
        job_id = int(answer.headers["location"].rsplit("/", 1)[1])
        job = wait_for(admin_app, job_id)
        assert job.status == "failed", job  # one file refused
        statuses = {f.get("file_name", f["file"]): f["status"] for f in job.result["files"]}
        assert statuses == {"clients.csv": "imported", "invoices.csv": "rejected"}
        page = client.get(f"/admin/import/jobs/{job_id}").text
        assert "clients.csv" in page and "Fichiers refusés" in page
        rows = re.findall(r"<tr><td>invoices\.csv</td><td>(\d+)</td><td>([^<]*)</td>", page)
        assert rows == [("3", "amount")]
        assert "montant invalide" in page and "invalid amount" not in page  # said in French
    with unit_of_work(admin_app.engine) as session:
        assert find_customer(session, "NEW001") is not None  # customers file imported
        new = find_customer(session, "NEW001")
        assert new is not None and not open_items(session, [new.pk], dt.date(2026, 10, 31))  # N-1 not stored
    with unit_of_work(admin_app.engine) as session:
        assert job_files.count(session) == 0  # the upload, kept in the database, went with the job's end
    assert not (admin_app.data_dir / "imports").exists()  # and never touched the web host's disk


def test_audit_view_and_api_filters(admin_app: AdminApp) -> None:
    with admin_app.client() as client:
        csrf = sign_in(client, "admin")
        client.post(
            "/customers/C00001/actions", data={"kind": "note", "text": "rappeler lundi", "csrf_token": csrf}
        )
        page = client.get("/admin/audit", params={"customer_id": "C00001"}).text
        assert "note" in page and email("admin") in page
        assert "auth.login" not in page  # not this customer's
        by_kind = client.get("/admin/audit", params={"action": "auth"}).text
        assert "auth.login" in by_kind and "C00001</a>" not in by_kind
        token = client.post(
            "/api/v1/auth/token", data={"username": email("admin"), "password": "Quartz-ravine-tabouret-1987"}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        api = client.get(
            "/api/v1/audit", params={"customer_id": "C00001", "user": email("admin")}, headers=headers
        )
        assert api.status_code == 200
        items = api.json()["items"]
        assert items and all(i["customer_id"] == "C00001" and i["actor"] == email("admin") for i in items)
        none = client.get("/api/v1/audit", params={"until": "2000-01-01"}, headers=headers).json()
        assert none["items"] == [] and none["total"] == 0
        assert client.get("/api/v1/audit", params={"since": "2200-01-01"}, headers=headers).status_code == 422
        paged = client.get("/api/v1/audit", params={"limit": 1}, headers=headers).json()
        assert len(paged["items"]) == 1 and paged["total"] > 1
