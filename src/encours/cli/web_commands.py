"""`encours serve`, `encours user add`, `encours portal link`, `encours report digest` (SPEC §9)."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from typing import Annotated

import typer

from encours.cli.context import AsOfOption, DbOption, engine_for, err_console, fail, parse_as_of
from encours.ledger.queries import find_customer, has_customers
from encours.settings import Settings, get_settings
from encours.storage.database import unit_of_work
from encours.users.passwords import check_password
from encours.users.roles import Role
from encours.users.service import UserService
from encours.web.keys import signing_keys
from encours.web.portal.links import DEFAULT_DAYS, make_token, portal_url

user_app = typer.Typer(help="Users of the web app.", no_args_is_help=True)
portal_app = typer.Typer(help="Customer portal links.", no_args_is_help=True)
report_app = typer.Typer(help="E-mail reports.", no_args_is_help=True)

DEMO_EMAIL = "demo@encours.example"


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="E-mail address, the login.")],
    role: Annotated[Role, typer.Option("--role", help="admin, credit_manager, collector or sales.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    language: Annotated[str, typer.Option("--language", help="fr or en.")] = "fr",
    digest: Annotated[bool, typer.Option("--digest", help="Receives the weekly e-mail digest.")] = False,
    db: DbOption = None,
) -> None:
    """Create a user (password from stdin, or a random one printed once)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else secrets.token_urlsafe(12)
    with unit_of_work(engine_for(db)) as session:
        user = UserService(session).create(
            email, role.value, password, actor="cli", language=language, digest=digest
        )
    typer.echo(f"user {user.email} created with role {user.role.value}")
    if not password_stdin:
        typer.echo(f"password: {password}")


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """List users, their role and language."""
    with unit_of_work(engine_for(db)) as session:
        for user in UserService(session).all():
            state = "active" if user.active else "disabled"
            typer.echo(f"{user.email}\t{user.role.value}\t{user.language}\t{state}")


@portal_app.command("link")
def portal_link(
    customer_id: Annotated[str, typer.Argument(help="The customer's id.")],
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help="Days the link stays valid.")
    ] = DEFAULT_DAYS,
    db: DbOption = None,
) -> None:
    """Print the customer's signed portal URL, alone on the last line."""
    configured = get_settings()  # a short ENCOURS_SECRET_KEY: exit 2
    engine = engine_for(db)
    portal_key = signing_keys(configured, engine).portal
    with unit_of_work(engine) as session:
        if find_customer(session, customer_id) is None:
            fail(f"customer_id: no customer {customer_id!r}")
        from encours.audit.service import record

        record(session, "cli", "portal.link_created", customer_id=customer_id, details={"days": days})
    token = make_token(portal_key, customer_id, days)
    typer.echo(portal_url(token, configured.base_url))


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Worker processes (about one per core).")
    ] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create the demo company and a demo admin first (if empty).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Serve the web UI (/), the JSON API (/api/v1) and its OpenAPI document (/docs)."""
    from encours.web.server import serve as serve_app

    get_settings()  # refused before serving: a short ENCOURS_SECRET_KEY
    login = _prepare_demo(db) if demo else None
    engine_for(db)  # a bad URL fails here with exit 2; the schema is migrated once, before workers
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    typer.echo(f"Encours is at http://{shown}:{port}/")
    if login is not None:
        typer.echo(f"demo login: {login[0]}  password: {login[1]}")
    sys.stdout.flush()
    serve_app(db, host, port, workers, get_settings().log_level)


def _prepare_demo(db: str | None) -> tuple[str, str]:
    """The demo company when the ledger is empty, and a demo admin with a fresh random password."""
    from encours.cli.demo_command import demo

    engine = engine_for(db)
    with unit_of_work(engine) as session:
        empty = not has_customers(session)
    if empty:
        _score_demo(db, demo(db=db))
    password = demo_password(get_settings())
    with unit_of_work(engine) as session:
        service = UserService(session)
        existing = service.by_email(DEMO_EMAIL)
        if existing is None:
            service.create(DEMO_EMAIL, Role.ADMIN.value, password, actor="cli", language="en")
        else:
            service.set_password(existing.id, password, actor="cli")
    return DEMO_EMAIL, password


def demo_password(settings: Settings) -> str:
    """ENCOURS_DEMO_PASSWORD when the policy accepts it (else a refusal), or a random one."""
    password = settings.demo_password or secrets.token_urlsafe(16)
    check_password(password, [DEMO_EMAIL])
    return password


def _score_demo(db: str | None, last_day: dt.date) -> None:
    """Risk scores for the demo company's customer sheets (foresight's `encours score`)."""
    from encours.foresight.scoring import store_scores
    from encours.foresight.service import read_ledger

    with err_console.status("scoring the demo customers"), unit_of_work(engine_for(db)) as session:
        store_scores(session, read_ledger(session), last_day)


@report_app.command("digest")
def report_digest(
    as_of: AsOfOption,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Recipients (default: users with the digest on).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the message instead of sending it.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Weekly digest (KPIs, movements of the week, broken promises) by e-mail (ENCOURS_SMTP_URL)."""
    from encours.dunning.channels.smtp import smtp_config
    from encours.web.reports.digest import DigestError, build_digest, recipients, send_digest

    day = parse_as_of(as_of)
    engine = engine_for(db)
    with unit_of_work(engine) as session:
        addresses = list(to) if to else recipients(session)
        digest = build_digest(session, day)
    if dry_run:
        typer.echo(f"To: {', '.join(addresses)}")
        typer.echo(f"Subject: {digest.subject}")
        typer.echo("")
        typer.echo(digest.text)
        return
    if not addresses:
        fail("--to: no recipient (give --to or turn the digest on for a user)")
    smtp = smtp_config(get_settings())
    if smtp is None:
        raise DigestError("ENCOURS_SMTP_URL is not set (smtp://host:port)")
    send_digest(digest, addresses, smtp)
    with unit_of_work(engine) as session:
        from encours.audit.service import record

        record(session, "cli", "report.digest_sent", details={"to": addresses, "as_of": day.isoformat()})
    err_console.print(f"digest sent to {len(addresses)} recipient(s)")
