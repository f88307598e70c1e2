"""`encours note`: notes and comments on customers and invoices."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import notes
from encours.casework.schemas import NoteOut
from encours.cli.casework.common import ByOption, Fmt, FormatOption, in_session, print_records
from encours.cli.context import DbOption

note_app = typer.Typer(help="Notes and comments on customers and invoices.", no_args_is_help=True)
NoteInvoiceOption = Annotated[str | None, typer.Option("--invoice")]


@note_app.command("add")
def note_add(
    customer: str,
    text: str,
    invoice: NoteInvoiceOption = None,
    by: ByOption = "cli",
    db: DbOption = None,
) -> None:
    """Add a note to a customer (or to one of its invoices)."""
    found = in_session(db, lambda s: notes.add_note(s, customer, text, author=by, invoice=invoice))
    typer.echo(f"note {found.note_id} added to {found.entry_key or found.customer_id}")


@note_app.command("list")
def note_list(
    customer: str,
    invoice: NoteInvoiceOption = None,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """A customer's notes, oldest first."""
    found = in_session(db, lambda s: notes.list_notes(s, customer, invoice))
    print_records(
        output, found, NoteOut.document, "Notes",
        ["id", "on", "author", "note"], lambda n: [n.note_id, n.entry_key or n.customer_id, n.author, n.body],
    )  # fmt: skip
