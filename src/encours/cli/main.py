"""The `encours` command: every sub-command registered in one place, loaded when used.

Command modules pull in heavy libraries (WeasyPrint, LightGBM, FastAPI); importing them only
for the command that runs keeps `encours aging` from paying seconds of start-up for them.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer import _click as click  # Typer's own copy of Click, which its classes extend
from typer.core import TyperGroup

# command name -> "module:attribute" (a command function or a Typer sub-application)
COMMANDS = {
    "import": "encours.cli.ledger_commands:import_files",
    "aging": "encours.cli.ledger_commands:aging",
    "kpi": "encours.cli.ledger_commands:kpi",
    "demo": "encours.cli.demo_command:demo",
    "cash": "encours.cli.cash_commands:cash_app",
    "einvoice": "encours.cli.einvoice_commands:einvoice_app",
    "dunning": "encours.cli.dunning_commands:dunning_app",
    "dispute": "encours.cli.casework.disputes:dispute_app",
    "promise": "encours.cli.casework.promises:promise_app",
    "plan": "encours.cli.casework.plans:plan_app",
    "note": "encours.cli.casework.notes:note_app",
    "hold": "encours.cli.casework.holds:hold_app",
    "assign": "encours.cli.casework.assignment:assign_app",
    "credit": "encours.cli.casework.credit:credit_app",
    "task": "encours.cli.casework.tasks:task_app",
    "timeline": "encours.cli.casework.timeline:timeline_command",
    "forecast": "encours.cli.foresight_commands:forecast",
    "backtest": "encours.cli.foresight_commands:backtest",
    "score": "encours.cli.foresight_commands:score",
    "model": "encours.cli.foresight_commands:model_app",
    "serve": "encours.cli.web_commands:serve",
    "user": "encours.cli.user_commands:user_app",
    "portal": "encours.cli.web_commands:portal_app",
    "report": "encours.cli.web_commands:report_app",
    "notifications": "encours.cli.notification_commands:notifications_app",
    "jobs": "encours.cli.jobs_commands:jobs_app",
    "worker": "encours.cli.jobs_commands:worker",
    "schedule": "encours.cli.jobs_commands:schedule_command",
}


def load_command(name: str) -> click.Command:
    """Import the module behind ``name`` and build its click command."""
    module_name, attribute = COMMANDS[name].split(":")
    target = getattr(importlib.import_module(module_name), attribute)
    command: click.Command
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyCommands(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def invoke(self, ctx: click.Context) -> Any:
        """Runs the command; its refusals (EncoursError) are mapped here, once for every command."""
        from encours.cli.context import refusals_exit_2  # with the commands: loaded when one runs

        with refusals_exit_2():
            return super().invoke(ctx)


app = typer.Typer(
    name="encours",
    cls=LazyCommands,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def encours() -> None:
    """Encours: accounts-receivable management (aged balance, KPIs, dunning, forecasts)."""


def run() -> None:
    """Entry point: usage errors and refusals exit 2 (Click's convention too), crashes exit 1."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last-resort boundary of the process
        print(f"internal error: {exc}", file=sys.stderr)
        sys.exit(1)
