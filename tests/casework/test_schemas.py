"""One presenter per record: the API's fields and the CLI's JSON keys, pinned as published."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session
from tests.casework.conftest import D

from encours.casework import disputes, plans, promises, tasks
from encours.casework.schemas import (
    DisputeOut,
    PlanOut,
    PromiseOut,
    TaskOut,
    dispute_document,
    plan_document,
    promise_document,
    task_document,
)


def test_cli_documents_share_the_api_presenters(sqlite_session: Session) -> None:
    session = sqlite_session
    dispute = disputes.open_dispute(
        session, "BETA", "C2", reason="quantity", actor="ana", opened_on=D(2026, 3, 1)
    )
    promise = promises.make_promise(
        session, "ACME", Decimal("3000"), D(2026, 3, 20), actor="ana", invoices=["A3"], made_on=D(2026, 3, 15)
    )
    plan = plans.create_plan(
        session, "GAMMA", ["D1"], start_date=D(2026, 3, 15), actor="ana",
        instalments=[(D(2026, 4, 1), Decimal("450")), (D(2026, 5, 1), Decimal("450"))],
    )  # fmt: skip
    task = tasks.create_task(session, "ACME", "call", "Call", D(2026, 3, 24), "colette", ["doc:A3"])

    api = DisputeOut.model_validate(dispute).model_dump(mode="json")
    cli = dispute_document(dispute)
    assert list(api) == [k for k in cli if k != "entry_key"]
    assert (cli["entry_key"], cli["status"], api["status"]) == ("doc:C2", "open", "open")

    api = PromiseOut.model_validate(promise).model_dump(mode="json")
    cli = promise_document(promise)
    assert list(cli) == [
        "promise_id", "customer_id", "amount", "currency", "made_on", "promised_date", "grace_days",
        "honour_by", "status", "paid", "invoices", "created_by",
    ]  # fmt: skip
    assert (cli["amount"], api["amount"], cli["invoices"], api["entry_keys"]) == (
        "3000.00", "3000.00", ["doc:A3"], ["doc:A3"],
    )  # fmt: skip
    assert "note" in api and "note" not in cli

    api = PlanOut.model_validate(plan).model_dump(mode="json")
    cli = plan_document(plan)
    assert list(cli)[-2:] == ["invoices", "instalments"] and "created_by" in api
    assert [i["amount"] for i in cli["instalments"]] == ["450.00", "450.00"]

    api = TaskOut.model_validate(task).model_dump(mode="json")
    cli = task_document(task)
    assert list(api) == [k for k in cli if k != "invoices"] and cli["invoices"] == ["doc:A3"]
