"""`encours timeline`: a customer's whole story in order."""

from __future__ import annotations

from typing import Annotated

import typer

from encours.casework import timeline
from encours.casework.schemas import TimelineOut
from encours.cli.casework.common import (
    Fmt,
    FormatOption,
    cell,
    in_session,
    optional_date,
    print_records,
)
from encours.cli.context import DbOption
from encours.domain.money import format_amount
from encours.einvoicing import timeline as _einvoice_statuses  # noqa: F401  (adds its items)


def timeline_command(
    customer: str,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    newest_first: Annotated[bool, typer.Option("--newest-first")] = False,
    output: FormatOption = Fmt.TABLE,
    db: DbOption = None,
) -> None:
    """A customer's whole story in order: documents, payments, reminders, calls, promises..."""
    first = optional_date(since, "--since")
    last = optional_date(until, "--until")
    items = in_session(
        db, lambda s: timeline.timeline(s, customer, since=first, until=last, newest_first=newest_first)
    )
    print_records(
        output, items, TimelineOut.document, f"Timeline of {customer}",
        ["day", "kind", "event", "what", "amount", "by"],
        lambda i: [i.day, i.kind, i.event, i.title,
                   "" if i.amount is None else f"{format_amount(i.amount)} {i.currency}", cell(i.actor)],
    )  # fmt: skip
