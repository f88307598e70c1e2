"""Issue 14 replayed: each hole the attack campaign found, and the proof it is closed.

Sessions outliving logout, throttling bypassed by X-Forwarded-For and by spraying, weak
passwords, formula injection in exports, one short key for sessions and portal links,
undeclared status codes and ``as_of=0``.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import delete, or_, select
from tests.conftest import DEMO_UNTIL, free_port, invoke
from tests.web.conftest import (
    AS_OF,
    PASSWORD,
    TestClient,
    csrf_of,
    email,
    encours_command,
    load_demo,
    serving,
)
from typer.testing import CliRunner

from encours.cli.main import app as cli_app
from encours.demo.generator import generate
from encours.settings import InvalidSettings, Settings, get_settings
from encours.storage.database import get_engine, unit_of_work
from encours.users.errors import WeakPassword
from encours.users.models import LoginAttemptRow
from encours.users.passwords import check_password
from encours.users.service import UserService
from encours.web.app import create_app
from encours.web.client_address import client_address
from encours.web.keys import STORED_SECRET, signing_keys
from encours.web.models import AppSettingRow
from encours.web.portal.links import make_token, read_token

COOKIE = "encours_session"
STRONG = "Pivoine-grenier-7741-fjord"
HOSTILE = ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx")


def new_user(web_url: str, name: str, role: str = "collector") -> int:
    with unit_of_work(get_engine(web_url)) as session:
        return UserService(session).create(f"{name}@holes.test", role, STRONG, actor="test").id


def sign_in(client: TestClient, address: str, password: str = STRONG) -> httpx.Response:
    csrf = csrf_of(client.get("/login").text)
    form = {"email": address, "password": password, "csrf_token": csrf}
    return client.post("/login", data=form, follow_redirects=False)


def replay(web_url: str, cookie: str) -> tuple[int, int]:
    """(/customers, /api/v1/me) for a client that kept only this cookie."""
    with TestClient(create_app(web_url), cookies={COOKIE: cookie}) as thief:
        page = thief.get("/customers", follow_redirects=False).status_code
        return page, thief.get("/api/v1/me").status_code


def forget_failures(web_url: str, *, ips: tuple[str, ...] = (), names: tuple[str, ...] = ()) -> None:
    with unit_of_work(get_engine(web_url)) as session:
        session.execute(
            delete(LoginAttemptRow).where(
                or_(LoginAttemptRow.ip.in_(ips), LoginAttemptRow.username.in_(names))
            )
        )


# sessions ---------------------------------------------------------------------------------
def _logout(web_url: str, client: TestClient, user_id: int) -> None:
    csrf = csrf_of(client.get("/customers").text)
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303


def _password_change(web_url: str, client: TestClient, user_id: int) -> None:
    with unit_of_work(get_engine(web_url)) as session:
        UserService(session).set_password(user_id, "Nouveau-phare-3310-lagon", actor="test")


def _role_change(web_url: str, client: TestClient, user_id: int) -> None:
    with unit_of_work(get_engine(web_url)) as session:
        UserService(session).update(user_id, role="sales", actor="test")


def _deactivation(web_url: str, client: TestClient, user_id: int) -> None:
    with unit_of_work(get_engine(web_url)) as session:
        UserService(session).update(user_id, active=False, actor="test")


@pytest.mark.parametrize(
    "end", [_logout, _password_change, _role_change, _deactivation], ids=lambda f: f.__name__.strip("_")
)
def test_a_kept_cookie_dies_when_the_session_is_ended(
    web_url: str, end: Callable[[str, TestClient, int], None]
) -> None:
    name = f"kept-{end.__name__.strip('_').replace('_', '-')}"
    user_id = new_user(web_url, name)
    with TestClient(create_app(web_url)) as client:
        assert sign_in(client, f"{name}@holes.test").status_code == 303
        cookie = client.cookies[COOKIE]
        assert replay(web_url, cookie) == (200, 200)  # the copied cookie works until then
        end(web_url, client, user_id)
    page, api = replay(web_url, cookie)
    assert page == 303 and api == 401


def test_logout_ends_the_other_sessions_of_the_user_too(web_url: str) -> None:
    new_user(web_url, "two-browsers")
    with TestClient(create_app(web_url)) as laptop, TestClient(create_app(web_url)) as phone:
        assert sign_in(laptop, "two-browsers@holes.test").status_code == 303
        assert sign_in(phone, "two-browsers@holes.test").status_code == 303
        _logout(web_url, laptop, 0)
        assert phone.get("/customers", follow_redirects=False).status_code == 303


def test_language_change_keeps_the_session(web_url: str) -> None:
    """Only what changes who the user is or may be ends sessions: not a preference."""
    user_id = new_user(web_url, "polyglot")
    with TestClient(create_app(web_url)) as client:
        assert sign_in(client, "polyglot@holes.test").status_code == 303
        with unit_of_work(get_engine(web_url)) as session:
            UserService(session).update(user_id, language="en", actor="test")
        assert client.get("/customers", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("base_url", "explicit", "secure"),
    [("https://ar.example.com", None, True), ("http://localhost:8000", None, False),
     ("", None, False), ("https://ar.example.com", False, False), ("", True, True)],
)  # fmt: skip
def test_cookies_are_secure_when_the_base_url_is_https(
    web_url: str, base_url: str, explicit: bool | None, secure: bool
) -> None:
    settings = Settings(database_url=web_url, base_url=base_url, secure_cookies=explicit)
    with TestClient(create_app(web_url, settings), base_url="https://testserver") as client:
        response = sign_in(client, email("sales"), PASSWORD)
        assert response.status_code == 303
        assert ("; secure" in response.headers["set-cookie"].lower()) is secure


# throttling -------------------------------------------------------------------------------
def trusting(web_url: str, *proxies: str) -> Settings:
    networks = tuple(ipaddress.ip_network(p) for p in proxies)
    return Settings(database_url=web_url, trusted_proxies=networks)


def token_status(client: TestClient, username: str, password: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", data=form, headers=headers).status_code


def test_rotating_x_forwarded_for_from_loopback_does_not_escape_throttling(web_url: str) -> None:
    user = email("collector")
    app = create_app(web_url, trusting(web_url))  # no trusted proxy: the default
    try:
        with TestClient(app, client=("127.0.0.1", 40000)) as client:
            for n in range(5):
                assert token_status(client, user, "wrong guess", f"198.51.100.{n}") == 401
            assert token_status(client, user, PASSWORD, "198.51.100.99") == 429
            assert token_status(client, user, PASSWORD, "198.51.100.99, 10.9.9.9") == 429
            forwarded = {"Forwarded": "for=198.51.100.77"}
            form = {"username": user, "password": PASSWORD}
            assert client.post("/api/v1/auth/token", data=form, headers=forwarded).status_code == 429
    finally:
        forget_failures(web_url, ips=("127.0.0.1",))


def test_a_trusted_proxy_names_the_client_and_throttling_follows_the_client(web_url: str) -> None:
    user = email("credit_manager")
    app = create_app(web_url, trusting(web_url, "127.0.0.1"))
    try:
        with TestClient(app, client=("127.0.0.1", 40001)) as client:
            for _ in range(5):
                assert token_status(client, user, "wrong guess", "198.51.100.20") == 401
            assert token_status(client, user, PASSWORD, "198.51.100.20") == 429
            assert token_status(client, user, PASSWORD, "198.51.100.21") == 200  # another client
        with unit_of_work(get_engine(web_url)) as session:
            seen = set(session.scalars(select(LoginAttemptRow.ip).where(LoginAttemptRow.username == user)))
        assert seen == {"198.51.100.20"}  # the client's address, not the proxy's
    finally:
        forget_failures(web_url, ips=("198.51.100.20", "198.51.100.21", "127.0.0.1"))


def test_password_spraying_from_one_address_is_throttled(web_url: str) -> None:
    accounts = tuple(f"victim{n}@holes.test" for n in range(20))
    try:
        with TestClient(create_app(web_url), client=("203.0.113.50", 40002)) as sprayer:
            for account in accounts:  # one guess per account: no account reaches its own limit
                assert token_status(sprayer, account, "Summer2026!") == 401
            assert token_status(sprayer, email("sales"), PASSWORD) == 429  # the address is
        with TestClient(create_app(web_url), client=("203.0.113.51", 40003)) as colleague:
            assert token_status(colleague, email("sales"), PASSWORD) == 200
    finally:
        forget_failures(web_url, ips=("203.0.113.50",), names=accounts)


def test_guessing_one_account_from_many_addresses_is_throttled(web_url: str) -> None:
    new_user(web_url, "targeted")
    target = "targeted@holes.test"
    app = create_app(web_url, trusting(web_url, "127.0.0.1"))
    try:
        with TestClient(app, client=("127.0.0.1", 40004)) as botnet:
            for n in range(20):  # a new address each time, under the per-address limits
                assert token_status(botnet, target, "wrong guess", f"192.0.2.{n + 1}") == 401
            assert token_status(botnet, target, STRONG, "192.0.2.200") == 429
    finally:
        forget_failures(web_url, names=(target,))


def test_client_address_reads_proxy_headers_only_from_trusted_peers() -> None:
    from starlette.requests import Request

    def request(peer: str, headers: dict[str, str]) -> Request:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        return Request({"type": "http", "client": (peer, 1), "headers": raw})

    proxies = (ipaddress.ip_network("10.0.0.0/8"),)
    chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.9, 10.0.0.2"}
    assert client_address(request("127.0.0.1", chain), proxies) == "127.0.0.1"  # not a proxy
    assert client_address(request("10.0.0.1", chain), proxies) == "198.51.100.9"  # last untrusted hop
    assert client_address(request("10.0.0.1", {"X-Forwarded-For": "junk"}), proxies) == "10.0.0.1"
    forwarded = {"Forwarded": 'for="[2001:db8::7]:443";proto=https, for=10.0.0.3'}
    assert client_address(request("10.0.0.1", forwarded), proxies) == "2001:db8::7"
    assert client_address(request("10.0.0.1", {}), proxies) == "10.0.0.1"


@pytest.fixture
def lone_user_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lone.db'}"
    with unit_of_work(get_engine(url)) as session:
        UserService(session).create("lone@holes.test", "admin", STRONG, actor="test")
    return url


def test_the_real_server_does_not_believe_x_forwarded_for_from_loopback(
    lone_user_db: str, tmp_path: Path
) -> None:
    """uvicorn's own proxy handling would trust loopback: `encours serve` must not."""
    env = {**os.environ, "ENCOURS_DATA_DIR": str(tmp_path / "data")}
    env.pop("ENCOURS_TRUSTED_PROXIES", None)
    with serving(lone_user_db, env=env) as served, httpx.Client(base_url=served.base, timeout=60) as client:
        for n in range(5):
            form = {"username": "lone@holes.test", "password": "wrong guess"}
            headers = {"X-Forwarded-For": f"198.51.100.{n}"}
            assert client.post("/api/v1/auth/token", data=form, headers=headers).status_code == 401
        form = {"username": "lone@holes.test", "password": STRONG}
        headers = {"X-Forwarded-For": "198.51.100.250"}
        assert client.post("/api/v1/auth/token", data=form, headers=headers).status_code == 429


# passwords --------------------------------------------------------------------------------
WEAK = ("password", "aaaaaaaa", "Xk9#mPq2vL!", "passwordpassword", "aaaaaaaaaaaaaaaa", "azertyuiop123")


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passwords_are_refused_by_the_policy(weak: str) -> None:
    with pytest.raises(WeakPassword) as refused:
        check_password(weak)
    assert "password" in str(refused.value)


def test_the_policy_explains_itself_and_knows_the_users_own_name() -> None:
    with pytest.raises(WeakPassword, match="guess"):
        check_password("passwordpassword")
    check_password("mdupontencours")  # fine for anyone else
    with pytest.raises(WeakPassword):
        check_password("mdupontencours", ["mdupont@encours.example"])
    check_password(STRONG)


def test_weak_passwords_are_refused_for_admins_in_the_api(
    app_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    for n, weak in enumerate(WEAK):
        body = {"email": f"weak-admin{n}@holes.test", "role": "admin", "password": weak}
        response = app_client.post("/api/v1/users", json=body, headers=tokens["admin"])
        assert response.status_code in (400, 422), (weak, response.text)
    body = {"email": "zxcvbn@holes.test", "role": "admin", "password": "passwordpassword"}
    refused = app_client.post("/api/v1/users", json=body, headers=tokens["admin"])
    assert refused.status_code == 400 and "guess" in refused.json()["detail"]
    strong = {"email": "strong-admin@holes.test", "role": "admin", "password": STRONG}
    assert app_client.post("/api/v1/users", json=strong, headers=tokens["admin"]).status_code == 201


def test_weak_passwords_are_refused_for_admins_in_the_ui(ui_client: TestClient) -> None:
    assert sign_in(ui_client, email("admin"), PASSWORD).status_code == 303
    csrf = csrf_of(ui_client.get("/admin/users").text)
    form = {"email": "ui-weak@holes.test", "role": "admin", "password": "aaaaaaaa", "csrf_token": csrf}
    assert ui_client.post("/admin/users", data=form, follow_redirects=False).status_code == 400
    with unit_of_work(ui_client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert UserService(session).by_email("ui-weak@holes.test") is None


@pytest.mark.parametrize("weak", ["password", "aaaaaaaa", "Xk9#mPq2vL!", "passwordpassword"])
def test_weak_passwords_are_refused_for_admins_in_the_cli(cli: CliRunner, tmp_path: Path, weak: str) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = cli.invoke(
        cli_app,
        ["user", "add", "root@holes.test", "--role", "admin", "--password-stdin", "--db", url],
        input=weak + "\n",
    )
    assert result.exit_code == 2 and "password" in result.stderr


def test_the_demo_password_passes_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    from encours.cli.web_commands import demo_password

    monkeypatch.delenv("ENCOURS_DEMO_PASSWORD", raising=False)
    for _ in range(20):
        check_password(demo_password(get_settings()))
    monkeypatch.setenv("ENCOURS_DEMO_PASSWORD", "demo")
    with pytest.raises(WeakPassword):
        demo_password(get_settings())


# exports ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small ledger whose customers are named like spreadsheet formulas."""
    ledger = generate(seed=11, customers=12, until=DEMO_UNTIL)
    renamed = tuple(c._replace(name=HOSTILE[i % len(HOSTILE)]) for i, c in enumerate(ledger.customers))
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'encours.db'}"
    load_demo(url, ledger._replace(customers=renamed))
    return url


@pytest.fixture(scope="module")
def hostile_client(hostile_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(hostile_url)) as client:
        assert sign_in(client, email("admin"), PASSWORD).status_code == 303
        yield client


def test_the_aging_csv_neutralises_formulas_and_keeps_amounts(hostile_client: TestClient) -> None:
    response = hostile_client.get(f"/aging.csv?as_of={AS_OF}")
    assert response.status_code == 200
    # the admin works in French: `;`, decimal comma, French headers
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    names = {row["Raison sociale"] for row in rows}
    assert {"'" + name for name in HOSTILE} <= names, names
    assert not any(name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
    for row in rows:
        float(row["Total"].replace(",", "."))  # still a plain number (negative ones too)
    assert all(not row["Total"].startswith("'") for row in rows)


def test_the_aging_xlsx_writes_hostile_names_as_text(hostile_client: TestClient) -> None:
    response = hostile_client.get(f"/aging.xlsx?as_of={AS_OF}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    seen: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            name, total = row[1], row[3]
            if row[0].value == "TOTAL":
                continue
            assert name.data_type == "s", (name.value, name.data_type)
            seen.add(str(name.value))
            assert isinstance(total.value, int | float) and total.data_type == "n"
    assert set(HOSTILE) <= seen  # the name as written, as text, never a formula


def test_export_cells_rule() -> None:
    from decimal import Decimal

    from encours.domain.aging import AgedBalance, AgedRow, buckets_from_bounds
    from encours.web.ui.exports import aging_csv, aging_xlsx

    buckets = buckets_from_bounds()
    amounts = tuple(Decimal("-12.50") if i == 0 else Decimal(0) for i in range(len(buckets)))
    rows = tuple(AgedRow(f"C{i}", name, amounts) for i, name in enumerate([*HOSTILE, "\rcr", "Acme"]))
    balance = AgedBalance(DEMO_UNTIL, "EUR", buckets, rows)
    lines = list(csv.reader(io.StringIO(aging_csv([balance], "en").decode("utf-8-sig"), newline="")))
    assert [line[1] for line in lines[1:]] == [*("'" + h for h in HOSTILE), "'\rcr", "Acme"]
    assert {line[3] for line in lines[1:]} == {"-12.50"}  # a negative amount is not a formula
    sheet = load_workbook(io.BytesIO(aging_xlsx([balance], "en"))).worksheets[0]
    cells = [sheet.cell(row=r, column=2) for r in range(2, 2 + len(rows))]
    assert [c.value for c in cells] == [*HOSTILE, "\rcr", "Acme"]
    assert {c.data_type for c in cells} == {"s"}
    assert all(sheet.cell(row=r, column=4).value == -12.5 for r in range(2, 2 + len(rows)))


def test_cli_csv_output_neutralises_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    from encours.cli.output import print_csv

    print_csv(["customer_id", "name", "total"], [["C1", "=1+1", "-3.00"], ["C2", "@x", "4.00"]])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1:] == [["C1", "'=1+1", "-3.00"], ["C2", "'@x", "4.00"]]


# keys -------------------------------------------------------------------------------------
def test_a_short_secret_is_refused_at_start(
    cli: CliRunner, web_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = "x" * 31
    with pytest.raises(InvalidSettings, match="ENCOURS_SECRET_KEY"):
        monkeypatch.setenv("ENCOURS_SECRET_KEY", short)
        get_settings()
    code, out, err = invoke(cli, "portal", "link", "C00001", "--db", web_url)
    assert code == 2 and "ENCOURS_SECRET_KEY" in err and "32" in err and short not in err + out
    Settings(secret_key="é" * 16)  # 32 bytes: the bound is in bytes


def test_serve_refuses_to_start_with_a_short_secret(lone_user_db: str) -> None:
    env = {**os.environ, "ENCOURS_SECRET_KEY": "0123456789"}
    command = [*encours_command(), "serve", "--port", str(free_port()), "--db", lone_user_db]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "ENCOURS_SECRET_KEY" in done.stderr
    assert "0123456789" not in done.stderr + done.stdout


def test_sessions_and_portal_links_have_distinct_keys(app_client: TestClient, web_url: str) -> None:
    keys = app_client.app.state.keys  # type: ignore[attr-defined]
    assert keys.session != keys.portal and len(keys.session) >= 32 and len(keys.portal) >= 32
    with TestClient(create_app(web_url)) as client:
        assert sign_in(client, email("sales"), PASSWORD).status_code == 303
        cookie = client.cookies[COOKIE]
        assert replay(web_url, cookie) == (200, 200)
    assert read_token(keys.portal, cookie) is None  # a session cookie is no portal link
    link = make_token(keys.portal, "C00001", 5)
    assert replay(web_url, link)[1] == 401  # a portal link is no session cookie
    forged = make_token(keys.session, "C00001", 5)  # signed with the session key
    assert app_client.get(f"/portal/{forged}").status_code in (403, 404)
    assert app_client.get(f"/portal/{link}").status_code == 200


def test_without_a_secret_one_is_made_once_in_the_database_and_outlives_restarts(
    tmp_path: Path, lone_user_db: str
) -> None:
    """SPEC §9: the signing secret is persistent (database or ENCOURS_SECRET_KEY)."""
    settings = Settings(database_url=lone_user_db, data_dir=tmp_path / "data", secret_key="")
    engine = get_engine(lone_user_db)
    first = signing_keys(settings, engine)
    with unit_of_work(engine) as session:
        stored = session.scalar(select(AppSettingRow.value).where(AppSettingRow.key == STORED_SECRET))
    assert stored is not None and len(stored.encode()) >= 32
    assert first.session != stored and first.portal != stored  # only derived keys sign
    assert signing_keys(settings, engine) == first  # the same keys on the next start
    assert create_app(lone_user_db, settings).state.keys == first
    with unit_of_work(engine) as session:  # a secret too short to be trusted is replaced
        session.get_one(AppSettingRow, STORED_SECRET).value = "short"
    renewed = signing_keys(settings, engine)
    assert renewed != first and signing_keys(settings, engine) == renewed
    other = Settings(database_url=lone_user_db, secret_key="k" * 40)
    assert signing_keys(other, engine) not in (first, renewed)  # the configured secret wins


# OpenAPI and dates ------------------------------------------------------------------------
def test_refusals_are_declared_in_the_openapi_document(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    customer = paths["/api/v1/customers/{customer_id}"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "422"} <= set(customer)
    assert "202" in paths["/api/v1/forecast"]["get"]["responses"]
    assert "401" in paths["/api/v1/me"]["get"]["responses"]


@pytest.mark.parametrize("bad", ["0", "20261031", "2026-13-01", "1970-01-01", "2101-01-01", "1e9", "-1"])
def test_every_as_of_refuses_what_is_not_a_date(
    app_client: TestClient, tokens: dict[str, dict[str, str]], bad: str
) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    routes = [
        path.replace("{customer_id}", "C00001")
        for path, operations in paths.items()
        if any(p["name"] == "as_of" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert len(routes) >= 8, routes
    for route in routes:
        response = app_client.get(route, params={"as_of": bad}, headers=tokens["admin"])
        assert response.status_code == 422, (route, bad, response.status_code)
    ok = app_client.get("/api/v1/aging", params={"as_of": AS_OF}, headers=tokens["admin"])
    assert ok.status_code == 200


def test_ui_pages_refuse_as_of_zero(ui_client: TestClient) -> None:
    assert sign_in(ui_client, email("credit_manager"), PASSWORD).status_code == 303
    for page in ("/", "/worklist", "/aging", "/aging.csv", "/aging.xlsx", "/customers"):
        assert ui_client.get(page, params={"as_of": "0"}).status_code == 422, page
