"""Weekly digest e-mail through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from tests.conftest import invoke
from tests.web.conftest import AS_OF
from typer.testing import CliRunner


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ENCOURS_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("ENCOURS_MAIL_FROM", "encours@example.com")
    try:
        yield inbox
    finally:
        controller.stop()


def test_digest_reaches_the_chosen_users(smtp: Inbox, cli: CliRunner, web_url: str) -> None:
    code, _, err = invoke(
        cli, "report", "digest", "--as-of", AS_OF, "--to", "boss@example.com", "--db", web_url
    )
    assert code == 0, err
    [(recipients, raw)] = smtp.messages
    assert recipients == ["boss@example.com"]
    message = message_from_bytes(raw)
    assert message["Subject"] == f"Encours digest {AS_OF}"
    body = message.get_payload(decode=True).decode()
    _, kpi_json, _ = invoke(cli, "kpi", "--as-of", AS_OF, "--format", "json", "--db", web_url)
    import json

    assert f"outstanding: {json.loads(kpi_json)['outstanding']}" in body
    assert "invoice:" in body  # the week's movements


def test_digest_without_recipient_or_server_exits_2(
    cli: CliRunner, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.delenv("ENCOURS_SMTP_URL", raising=False)
    assert invoke(cli, "report", "digest", "--as-of", AS_OF, "--db", url)[0] == 2
    assert invoke(cli, "report", "digest", "--as-of", AS_OF, "--to", "a@b.c", "--db", url)[0] == 2
