"""The `encours` command: every sub-command registered in one place."""

from __future__ import annotations

import sys

import typer

from encours.cli import ledger_commands, web_commands
from encours.cli.casework_commands import register as register_casework
from encours.cli.cash_commands import cash_app
from encours.cli.demo_command import demo
from encours.cli.dunning_commands import dunning_app
from encours.cli.foresight_commands import backtest, forecast, model_app, score

app = typer.Typer(
    name="encours",
    help="Encours: accounts-receivable management (aged balance, KPIs, dunning, forecasts).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("import")(ledger_commands.import_files)
app.command("aging")(ledger_commands.aging)
app.command("kpi")(ledger_commands.kpi)
app.command("demo")(demo)
app.command("forecast")(forecast)
app.command("backtest")(backtest)
app.command("score")(score)
app.add_typer(model_app, name="model")
register_casework(app)
app.command("serve")(web_commands.serve)
app.add_typer(web_commands.user_app, name="user")
app.add_typer(web_commands.portal_app, name="portal")
app.add_typer(web_commands.report_app, name="report")
app.add_typer(cash_app, name="cash")
app.add_typer(dunning_app, name="dunning")


def run() -> None:
    """Entry point: usage errors exit 2 (Click's convention too), crashes exit 1."""
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last-resort boundary of the process
        print(f"internal error: {exc}", file=sys.stderr)
        sys.exit(1)
