"""`encours user role|deactivate|activate|password`: the user changes the web app's admin screen makes."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from encours.cli.context import DbOption, engine_for, fail
from encours.cli.web_commands import user_app
from encours.storage.database import unit_of_work
from encours.users.roles import Role
from encours.users.service import User, UserService

Email = Annotated[str, typer.Argument(help="The user's e-mail address.")]


def _user(service: UserService, email: str) -> User:
    found = service.by_email(email)
    if found is None:
        fail(f"email: no user {email!r}")
    return found


@user_app.command("role")
def user_role(
    email: Email,
    role: Annotated[Role, typer.Argument(help="admin, credit_manager, collector or sales.")],
    db: DbOption = None,
) -> None:
    """Give a user another role (their open sessions end)."""
    with unit_of_work(engine_for(db)) as session:
        service = UserService(session)
        changed = service.update(_user(service, email).id, actor="cli", role=role.value)
    typer.echo(f"user {changed.email} now has role {changed.role.value}")


def _set_active(email: str, active: bool, db: str | None) -> None:
    with unit_of_work(engine_for(db)) as session:
        service = UserService(session)
        changed = service.update(_user(service, email).id, actor="cli", active=active)
    typer.echo(f"user {changed.email} {'reactivated' if active else 'deactivated'}")


@user_app.command("deactivate")
def user_deactivate(email: Email, db: DbOption = None) -> None:
    """Stop a user signing in; their sessions and API tokens stop working at once."""
    _set_active(email, False, db)


@user_app.command("activate")
def user_activate(email: Email, db: DbOption = None) -> None:
    """Let a deactivated user sign in again."""
    _set_active(email, True, db)


@user_app.command("password")
def user_password(
    email: Email,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a user's password (the policy applies); their sessions and API tokens end."""
    if not password_stdin:
        fail("--password-stdin: the new password is read from standard input")
    password = sys.stdin.readline().rstrip("\r\n")
    with unit_of_work(engine_for(db)) as session:
        service = UserService(session)
        service.set_password(_user(service, email).id, password, actor="cli")
    typer.echo(f"password of {email.strip().lower()} changed")
