"""Casework commands end to end: what they print, what they store, and exit 2 on bad input."""

from __future__ import annotations

import json

import pytest
from tests.conftest import invoke, query
from typer.testing import CliRunner

CASEWORK_TABLES = (
    "disputes",
    "promises",
    "promise_entries",
    "payment_plans",
    "plan_entries",
    "plan_instalments",
    "notes",
    "customer_holds",
    "customer_assignments",
    "credit_groups",
    "customer_open_orders",
    "tasks",
    "audit_events",
)


def counts(url: str) -> dict[str, object]:
    return {t: query(url, f"SELECT COUNT(*) FROM {t}")[0][0] for t in CASEWORK_TABLES}


def audit(url: str) -> list[tuple[str, str, str | None]]:
    rows = query(url, "SELECT actor, action, subject FROM audit_events ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows]


def ok(cli: CliRunner, *args: str) -> str:
    code, out, err = invoke(cli, *args)
    assert code == 0, err
    return out


def test_collections_story_through_the_cli(cli: CliRunner, ledger_url: str) -> None:
    db = ("--db", ledger_url)
    opened = ok(
        cli, "dispute", "open", "BETA", "C2", "--reason", "quantity", "--owner", "dora", "--by", "ana", *db
    )
    assert "dispute 1 opened on C2 (BETA)" in opened
    out = ok(
        cli,
        "promise",
        "add",
        "ACME",
        "--amount",
        "3000",
        "--date",
        "2026-03-20",
        "--invoice",
        "A3",
        "--on",
        "2026-03-15",
        "--by",
        "ana",
        *db,
    )
    assert "promise 1: 3000.00 EUR by 2026-03-20 (reminders paused until 2026-03-23)" in out
    out = ok(
        cli,
        "plan",
        "add",
        "GAMMA",
        "--invoice",
        "D1",
        "--instalment",
        "2026-04-01:450.00",
        "--instalment",
        "2026-05-01:450",
        "--start",
        "2026-03-15",
        "--by",
        "ana",
        *db,
    )
    # the plan covers what D1 itself still owes: the unapplied payment PD1 did not settle it
    assert "plan 1: 900.00 EUR in 2 instalments (GAMMA)" in out
    ok(cli, "note", "add", "ACME", "Accountant back on Monday", "--invoice", "A3", "--by", "ana", *db)
    ok(cli, "hold", "place", "ACME2", "--kind", "litigation", "--from", "2026-03-01", *db)
    ok(cli, "assign", "set", "ACME", "collector", "colette", "--by", "boss", *db)
    ok(
        cli,
        "task",
        "add",
        "ACME",
        "--title",
        "Call about A3",
        "--due",
        "2026-03-24",
        "--invoice",
        "A3",
        "--assignee",
        "colette",
        *db,
    )  # fmt: skip (colette is no user: only an explicit assignee gives her the task)

    disputes = json.loads(ok(cli, "dispute", "list", "--format", "json", *db))
    assert [(d["invoice"], d["status"], d["owner"]) for d in disputes] == [("C2", "open", "dora")]
    [promise] = json.loads(ok(cli, "promise", "list", "--customer", "ACME", "--format", "json", *db))
    assert (promise["amount"], promise["honour_by"]) == ("3000.00", "2026-03-23")
    assert promise["invoices"] == ["doc:A3"]
    [task] = json.loads(ok(cli, "task", "list", "--assignee", "colette", "--format", "json", *db))
    assert (task["title"], task["invoices"], task["due_date"]) == ("Call about A3", ["doc:A3"], "2026-03-24")
    assert "collector: colette" in ok(cli, "assign", "show", "ACME", *db)
    assert ok(cli, "assign", "portfolio", "colette", *db) == "ACME\n"
    holds = json.loads(ok(cli, "hold", "list", "--as-of", "2026-03-15", "--format", "json", *db))
    assert [(h["customer_id"], h["kind"]) for h in holds] == [("ACME2", "litigation")]

    # nothing paid: the promise breaks after its grace, with a task for the collector
    assert "promise 1 (ACME): broken, paid 0.00" in ok(cli, "promise", "check", "--as-of", "2026-03-24", *db)
    tasks = json.loads(ok(cli, "task", "list", "--customer", "ACME", "--format", "json", *db))
    # the broken promise's call task: colette, the assigned collector, is not a user of Encours
    assert [(t["source"], t["assignee"]) for t in tasks] == [("manual", "colette"), ("promise", None)]
    call = str(tasks[1]["task_id"])
    ok(cli, "task", "done", call, "--outcome", "new promise for the 31st", "--by", "colette", *db)
    checked = ok(cli, "plan", "check", "--as-of", "2026-04-05", *db)
    assert "plan 1 (GAMMA): broken [#1 broken, #2 pending]" in checked
    ok(cli, "dispute", "resolve", "1", "--resolution", "credit note issued", "--by", "dora", *db)

    timeline = json.loads(ok(cli, "timeline", "ACME", "--format", "json", *db))
    kinds = [(i["kind"], i["event"]) for i in timeline]
    assert kinds[:4] == [("invoice", "issued")] * 3 + [("payment", "received")]
    assert {("promise", "made"), ("promise", "broken"), ("note", "added"), ("call", "done")} <= set(kinds)
    assert [i["day"] for i in timeline] == sorted(i["day"] for i in timeline)

    actors = {(actor, action) for actor, action, _ in audit(ledger_url)}
    assert {
        ("ana", "dispute.opened"),
        ("dora", "dispute.resolved"),
        ("boss", "assignment.set"),
        ("system", "promise.broken"),
        ("colette", "task.done"),
        ("cli", "hold.litigation.placed"),
    } <= actors


def test_credit_commands(cli: CliRunner, sqlite_ledger: str) -> None:
    db = ("--db", sqlite_ledger)
    ok(cli, "credit", "group-limit", "732829320", "8000", *db)
    ok(cli, "credit", "orders", "GAMMA", "4400.01", *db)
    as_of = ("--as-of", "2026-03-15")
    status = json.loads(ok(cli, "credit", "status", "ACME2", *as_of, "--format", "json", *db))
    assert status["customer"]["limit"] is None
    group = status["group"]
    assert (group["exposure"], group["limit"], status["exceeded"]) == ("8800.00", "8000.00", True)
    assert status["credit_hold"] is False
    alerts = json.loads(ok(cli, "credit", "alerts", *as_of, "--hold", "--format", "json", *db))
    assert [(a["scope"], a["key"], a["excess"]) for a in alerts["alerts"]] == [
        ("customer", "BETA", "1100.00"),
        ("customer", "GAMMA", "0.01"),
        ("group", "732829320", "800.00"),
    ]
    assert alerts["newly_held"] == ["ACME", "ACME2", "BETA", "GAMMA"]
    table = ok(cli, "credit", "status", "ACME", "--as-of", "2026-03-15", *db)
    assert "EXCEEDED" in table and "credit hold: YES" in table
    ok(cli, "credit", "limit", "BETA", "none", *db)
    ok(cli, "hold", "release", "BETA", "--kind", "credit_hold", *db)
    assert "credit hold: no" in ok(cli, "credit", "status", "BETA", "--as-of", "2026-03-15", *db)


def test_outputs_are_deterministic(cli: CliRunner, sqlite_ledger: str) -> None:
    db = ("--db", sqlite_ledger)
    ok(cli, "promise", "add", "ACME", "--amount", "10", "--date", "2026-03-20", "--on", "2026-03-15", *db)
    for command in (("timeline", "ACME"), ("credit", "alerts", "--as-of", "2026-03-15"), ("promise", "list")):
        assert ok(cli, *command, *db) == ok(cli, *command, *db)


PROMISE = ("promise", "add", "ACME")
PLAN = ("plan", "add", "BETA", "--invoice", "C1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((*PROMISE, "--amount", "abc", "--date", "2026-03-20"), "--amount: invalid amount"),
        ((*PROMISE, "--amount", "0", "--date", "2026-03-20"), "--amount: amount must be positive"),
        ((*PROMISE, "--amount", "-3", "--date", "2026-03-20"), "--amount: amount must be positive"),
        ((*PROMISE, "--amount", "1.005", "--date", "2026-03-20"), "--amount: at most two decimals"),
        ((*PROMISE, "--amount", "5", "--date", "2026-02-30"), "--date: invalid date"),
        (("promise", "add", "NOPE", "--amount", "5", "--date", "2026-03-20"), "unknown customer 'NOPE'"),
        (
            (
                *PROMISE,
                "--amount",
                "5",
                "--date",
                "2026-03-20",
                "--invoice",
                "A3",
                "--invoice",
                "C1",
                "--on",
                "2026-03-15",
            ),
            "unknown invoice 'C1' for customer ACME",
        ),
        (("dispute", "open", "ACME", "ZZ", "--reason", "x"), "unknown invoice 'ZZ'"),
        (("dispute", "resolve", "9", "--resolution", "x"), "unknown dispute 9"),
        (
            (*PLAN, "--instalment", "2026-04-01:1000", "--start", "2026-03-01"),
            "instalments total 1000.00 but the covered invoices owe 1500.00",
        ),
        ((*PLAN, "--instalment", "2026-04-01"), "expected DATE:AMOUNT"),
        (
            (*PLAN, "--count", "2", "--first", "2026-04-01", "--instalment", "2026-04-01:1500"),
            "either explicit instalments or a count",
        ),
        (("note", "add", "ACME", "  "), "empty note"),
        (("hold", "place", "ACME", "--kind", "vacation"), "unknown hold 'vacation'"),
        (("hold", "place", "ACME", "--from", "2026-03-10", "--until", "2026-03-01"), "before the start"),
        (("hold", "release", "ACME"), "no pause to release"),
        (("assign", "set", "ACME", "boss", "x"), "unknown role 'boss'"),
        (("credit", "group-limit", "123456789", "100"), "invalid SIREN"),
        (("credit", "limit", "ACME", "lots"), "LIMIT: invalid amount"),
        (("credit", "alerts", "--as-of", "yesterday"), "--as-of: invalid date"),
        (("task", "done", "77"), "unknown task 77"),
        (
            ("task", "add", "ACME", "--title", "x", "--due", "2026-03-20", "--invoice", "no"),
            "unknown invoice",
        ),
        (("timeline", "NOPE"), "unknown customer"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    cli: CliRunner, sqlite_ledger: str, args: tuple[str, ...], message: str
) -> None:
    before = counts(sqlite_ledger)
    code, out, err = invoke(cli, *args, "--db", sqlite_ledger)
    assert code == 2, (out, err)
    assert message in err
    assert out == ""
    assert counts(sqlite_ledger) == before


def test_remaining_commands(cli: CliRunner, sqlite_ledger: str) -> None:
    db = ("--db", sqlite_ledger)
    out = ok(
        cli,
        "plan",
        "add",
        "BETA",
        "--invoice",
        "C1",
        "--count",
        "3",
        "--first",
        "2026-04-30",
        "--start",
        "2026-03-15",
        *db,
    )
    assert "plan 1: 1500.00 EUR in 3 instalments (BETA)" in out
    shown = json.loads(ok(cli, "plan", "show", "1", "--format", "json", *db))
    assert [(i["due_date"], i["amount"]) for i in shown["instalments"]] == [
        ("2026-04-30", "500.00"),
        ("2026-05-30", "500.00"),
        ("2026-06-30", "500.00"),
    ]
    assert [p["status"] for p in json.loads(ok(cli, "plan", "list", "--format", "json", *db))] == ["active"]
    ok(cli, "plan", "cancel", "1", "--reason", "paid in full", *db)
    assert "cancelled" in ok(cli, "plan", "list", *db)

    ok(cli, "promise", "add", "GAMMA", "--amount", "50", "--date", "2026-03-20", "--on", "2026-03-15", *db)
    ok(cli, "promise", "cancel", "1", *db)
    assert (
        json.loads(ok(cli, "promise", "list", "--status", "cancelled", "--format", "json", *db))[0]["amount"]
        == "50.00"
    )

    ok(cli, "dispute", "open", "ACME", "A2", "--reason", "price", "--on", "2026-03-01", *db)
    assert "dispute 1 rejected (A2, ACME)" in ok(
        cli, "dispute", "reject", "1", "--resolution", "price agreed", *db
    )

    ok(cli, "note", "add", "ACME", "on the invoice", "--invoice", "A2", "--by", "bob", *db)
    [note] = json.loads(ok(cli, "note", "list", "ACME", "--invoice", "A2", "--format", "json", *db))
    assert (note["author"], note["entry_key"], note["body"]) == ("bob", "doc:A2", "on the invoice")

    ok(
        cli,
        "task",
        "add",
        "BETA",
        "--title",
        "Send copy of C1",
        "--kind",
        "email",
        "--due",
        "2026-03-20",
        "--assignee",
        "dan",
        *db,
    )
    assert "task 1 assigned to eve" in ok(cli, "task", "assign", "1", "eve", *db)
    ok(cli, "task", "cancel", "1", "--reason", "duplicate", *db)
    [task] = json.loads(ok(cli, "task", "list", "--status", "all", "--format", "json", *db))
    assert (task["status"], task["assignee"], task["outcome"]) == ("cancelled", "eve", "duplicate")

    ok(cli, "hold", "place", "BETA", "--from", "2026-03-01", "--until", "2026-03-31", *db)
    assert "BETA" in ok(cli, "hold", "list", "--as-of", "2026-03-31", *db)
    assert "BETA" not in ok(cli, "hold", "list", "--as-of", "2026-04-01", *db)
    ok(cli, "assign", "set", "BETA", "sales_rep", "sam", *db)
    ok(cli, "assign", "remove", "BETA", "sales_rep", *db)
    assert "sales_rep: -" in ok(cli, "assign", "show", "BETA", *db)


def test_promise_add_covers_every_open_invoice_at_the_business_date(
    cli: CliRunner, sqlite_ledger: str
) -> None:
    db = ("--db", sqlite_ledger)
    base = ("promise", "add", "ACME", "--as-of", "2026-03-15", *db)
    # 20 March is long past by the machine's clock: the business date decides
    out = ok(cli, *base, "--amount", "3800", "--date", "2026-03-20")
    assert "promise 1: 3800.00 EUR by 2026-03-20 (reminders paused until 2026-03-23) on A2, A3" in out
    code, _, err = invoke(cli, *base, "--amount", "99999999", "--date", "2026-03-20")
    assert code == 2 and "open balance 3800.00 EUR" in err
    code, _, err = invoke(cli, *base, "--amount", "10", "--date", "9999-12-31")
    assert code == 2 and "more than a year" in err
    code, _, err = invoke(cli, *base, "--amount", "10", "--date", "2026-03-14")
    assert code == 2 and "before the promise" in err
    listed = json.loads(ok(cli, "promise", "list", "--format", "json", *db))
    assert [p["invoices"] for p in listed] == [["doc:A2", "doc:A3"]]


def test_plan_add_starts_on_the_business_date(cli: CliRunner, sqlite_ledger: str) -> None:
    db = ("--db", sqlite_ledger)
    out = ok(cli, "plan", "add", "GAMMA", "--invoice", "D1", "--count", "2", "--first", "2026-04-01",
             "--as-of", "2026-03-15", *db)  # fmt: skip
    assert "plan 1: 900.00 EUR in 2 instalments (GAMMA)" in out
    shown = json.loads(ok(cli, "plan", "show", "1", "--format", "json", *db))
    assert shown["start_date"] == "2026-03-15"
    code, _, err = invoke(cli, "plan", "add", "GAMMA", "--invoice", "D1", "--count", "2", "--first",
                          "9999-12-31", "--as-of", "2026-03-15", *db)  # fmt: skip
    assert code == 2 and "more than a year" in err
