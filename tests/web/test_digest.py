"""Weekly digest e-mail through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import SmtpServer, free_port, invoke
from tests.web.conftest import AS_OF
from typer.testing import CliRunner


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpServer) -> SmtpServer:
    monkeypatch.setenv("ENCOURS_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("ENCOURS_MAIL_FROM", "encours@example.com")
    return smtp_server


def test_digest_reaches_the_chosen_users(smtp: SmtpServer, cli: CliRunner, web_url: str) -> None:
    code, _, err = invoke(
        cli, "report", "digest", "--as-of", AS_OF, "--to", "boss@example.com", "--db", web_url
    )
    assert code == 0, err
    [(recipients, message)] = smtp.received
    assert recipients == ("boss@example.com",)
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


def test_digest_to_an_unreachable_server_exits_2(
    cli: CliRunner, web_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENCOURS_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    monkeypatch.setenv("ENCOURS_MAIL_FROM", "encours@example.com")
    code, _, err = invoke(cli, "report", "digest", "--as-of", AS_OF, "--to", "a@b.c", "--db", web_url)
    assert code == 2 and "sending the digest failed" in err
