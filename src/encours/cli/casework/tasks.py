"""`encours task`: collectors' tasks (calls and follow-ups), by due date."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import repository, tasks
from encours.casework.schemas import task_document
from encours.cli.casework.common import (
    ByOption,
    CustomerFilter,
    Fmt,
    FormatOption,
    InvoiceOption,
    ReasonOption,
    cell,
    in_session,
    optional_date,
    print_records,
)
from encours.cli.context import DbOption, parse_date, session_for

task_app = typer.Typer(help="Collector worklist: calls and follow-ups.", no_args_is_help=True)


@task_app.command("add")
def task_add(
    customer: str,
    title: Annotated[str, typer.Option("--title")],
    due: Annotated[str, typer.Option("--due")],
    kind: Annotated[str, typer.Option("--kind")] = "call",
    assignee: Annotated[str | None, typer.Option("--assignee", help="Default: the collector.")] = None,
    invoice: InvoiceOption = None,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Add a task to the worklist."""
    due_date = parse_date(due, "--due")
    with session_for(db) as session:
        keys: list[str] = []
        if invoice:
            owner = repository.customer(session, customer)
            keys = [repository.entry(session, owner, name).key for name in invoice]
        found = tasks.create_task(
            session, customer, kind, title, due_date, assignee, keys, source="manual", actor=by
        )
    typer.echo(f"task {found.task_id} for {cell(found.assignee)}, due {found.due_date}")


@task_app.command("list")
def task_list(
    assignee: Annotated[str | None, typer.Option("--assignee")] = None,
    customer: CustomerFilter = None,
    status: Annotated[str, typer.Option("--status", help="open, done, cancelled or all.")] = "open",
    due_by: Annotated[str | None, typer.Option("--due-by")] = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """The worklist, by due date."""
    day = optional_date(due_by, "--due-by")
    chosen = None if status == "all" else status
    found = in_session(
        db, lambda s: tasks.list_tasks(s, customer_id=customer, assignee=assignee, status=chosen, due_by=day)
    )
    print_records(
        output, found, task_document, "Tasks",
        ["id", "due", "customer", "kind", "title", "assignee", "status", "source"],
        lambda t: [t.task_id, t.due_date, t.customer_id, t.kind, t.title, cell(t.assignee), t.status,
                   t.source],
    )  # fmt: skip


@task_app.command("done")
def task_done(
    task_id: int,
    outcome: Annotated[str, typer.Option("--outcome", help="What came out of it.")] = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Close a task as done."""
    in_session(db, lambda s: tasks.close_task(s, task_id, by, outcome))
    typer.echo(f"task {task_id} done")


@task_app.command("cancel")
def task_cancel(
    task_id: int,
    outcome: ReasonOption = "",
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Cancel a task."""
    in_session(db, lambda s: tasks.close_task(s, task_id, by, outcome, cancelled=True))
    typer.echo(f"task {task_id} cancelled")


@task_app.command("assign")
def task_assign(task_id: int, assignee: str, by: ByOption = "cli", db: DbOption = None) -> None:
    """Give a task to someone else."""
    found = in_session(db, lambda s: tasks.reassign_task(s, task_id, assignee, by))
    typer.echo(f"task {task_id} assigned to {found.assignee}")
