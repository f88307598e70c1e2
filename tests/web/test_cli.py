"""`encours user add` and `encours portal link` contracts (SPEC §9)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import invoke
from typer.testing import CliRunner

from encours.cli.main import app
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService


def test_user_add_reads_the_first_line_of_stdin(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    result = cli.invoke(
        app,
        ["user", "add", "Ann@Example.com", "--role", "collector", "--password-stdin", "--db", url],
        input="Ombre-falaise-2931-kayak\r\nignored second line\n",
    )
    assert result.exit_code == 0, result.stderr
    with unit_of_work(get_engine(url)) as session:
        service = UserService(session)
        user = service.authenticate("ann@example.com", "Ombre-falaise-2931-kayak", "127.0.0.1")
        assert user.role.value == "collector"


def test_user_add_refuses_bad_input_with_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    bad_role = cli.invoke(
        app, ["user", "add", "a@b.c", "--role", "boss", "--password-stdin", "--db", url], input="x"
    )
    assert bad_role.exit_code == 2
    short = cli.invoke(
        app, ["user", "add", "a@b.c", "--role", "sales", "--password-stdin", "--db", url], input="x\n"
    )
    assert short.exit_code == 2 and "password" in short.stderr
    ok = cli.invoke(
        app,
        ["user", "add", "a@b.c", "--role", "sales", "--password-stdin", "--db", url],
        input="Grelot-sapin-5512-quai\n",
    )
    assert ok.exit_code == 0
    again = cli.invoke(
        app,
        ["user", "add", "a@b.c", "--role", "sales", "--password-stdin", "--db", url],
        input="Grelot-sapin-5512-quai\n",
    )
    assert again.exit_code == 2


def test_portal_link_for_unknown_customer_exits_2(cli: CliRunner, web_url: str) -> None:
    code, _, err = invoke(cli, "portal", "link", "NOBODY", "--db", web_url)
    assert code == 2 and "NOBODY" in err


def test_portal_links_verify_across_processes_with_the_stored_key(cli: CliRunner, web_url: str) -> None:
    """The key is derived from the persistent secret: a link made by the CLI verifies in the app."""
    from encours.settings import get_settings
    from encours.storage.database import get_engine
    from encours.web.keys import signing_keys
    from encours.web.portal.links import read_token

    code, out, _ = invoke(cli, "portal", "link", "C00001", "--db", web_url)
    assert code == 0
    token = out.strip().splitlines()[-1].rsplit("/", 1)[-1]
    access = read_token(signing_keys(get_settings(), get_engine(web_url)).portal, token)
    assert access is not None and access.customer_id == "C00001"
